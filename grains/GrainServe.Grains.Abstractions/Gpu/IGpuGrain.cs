using GrainServe.Contracts;
using GrainServe.Generation;
using GrainServe.Models;

namespace GrainServe.Gpu;

/// <summary>
/// One grain per physical device. It is always activated on the silo that owns the device, owns the model
/// instances loaded there with their batch queues, and keeps the device's memory budget.
/// </summary>
/// <remarks>
/// Key: <c>{siloName}/{deviceId}</c>, for example <c>gpu-node-0/gpu0</c> or <c>embedded/cpu0</c>; the
/// silo name is <c>SiloOptions.SiloName</c> of the owning silo. A key whose silo is not in the cluster
/// cannot be activated.
/// </remarks>
public interface IGpuGrain : IGrainWithStringKey
{
    /// <summary>The device and its current memory, utilization and load.</summary>
    Task<DeviceInfo> GetInfo();

    /// <summary>
    /// Answers at once: the liveness probe a gateway sends while one of its requests waits long on this device, to tell
    /// a busy device from a hung or cut-off silo without waiting for the membership protocol (seconds more).
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task Ping();

    /// <summary>
    /// Loads one instance of a model version from the silo's model repository. <paramref name="configOverride"/>,
    /// when given, replaces the model's config.json. When the instance does not fit in the memory budget left, idle
    /// instances of other models are evicted first, least recently used first and each only once its model grain
    /// releases it (<see cref="IModelGrain.ReleaseInstance"/>); refuses when that cannot make room, with a reason that
    /// says how much it needs and has.
    /// </summary>
    Task<LoadResult> LoadInstance(string modelName, string modelVersion, ModelConfig? configOverride);

    /// <summary>
    /// Unloads an instance and frees its memory. Requests already queued on it are failed as not ready.
    /// Unknown ids are ignored.
    /// </summary>
    Task UnloadInstance(string instanceId);

    /// <summary>An instance's statistics since it was loaded; null for an unknown instance.</summary>
    Task<ModelStatistics?> GetStatistics(string instanceId);

    /// <summary>
    /// Takes the device out of service for a graceful shutdown: it registers as draining (no new instances are
    /// placed on it), tells the model grains to stop routing to its instances, and completes once every request
    /// already queued on it has been answered, or when <paramref name="timeout"/> has passed.
    /// </summary>
    Task Drain(TimeSpan timeout);

    /// <summary>The instances loaded on this device, each with its requests pending now.</summary>
    Task<ModelInstanceInfo[]> GetInstances();

    /// <summary>
    /// The effective config an instance was loaded with, as its <see cref="LoadInstance"/> returned it; null for an
    /// unknown instance.
    /// </summary>
    Task<ModelConfig?> GetInstanceConfig(string instanceId);

    /// <summary>
    /// Queues a validated request on an instance's batch queue and answers when its batch has run.
    /// A full queue or an unknown instance comes back at once as an error value; a request whose
    /// <paramref name="cancellationToken"/> fires while it waits leaves the queue as <c>Cancelled</c>.
    /// </summary>
    Task<InferenceResult> Infer(string instanceId, InferenceRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams a generation on a text generation instance: one chunk per decode step that released text or tokens, the
    /// last with its finish reason. A request the instance cannot run (bad input, an unknown instance, a model that is not
    /// a generation model) is one chunk with an error. Cancelling <paramref name="cancellationToken"/> (the caller went
    /// away) removes the sequence at the next step and frees its KV cache.
    /// </summary>
    IAsyncEnumerable<GenerateChunk> Generate(string instanceId, GenerateRequest request, CancellationToken cancellationToken = default);
}
