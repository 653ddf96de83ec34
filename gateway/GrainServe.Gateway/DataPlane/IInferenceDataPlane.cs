using GrainServe.Contracts;
using GrainServe.Generation;
using GrainServe.Models;

namespace GrainServe.Gateway.DataPlane;

/// <summary>
/// What the protocols serve, independent of any protocol: REST and gRPC are thin adapters over this.
/// Expected inference failures come back as values; metadata calls throw
/// <see cref="GrainServe.Errors.InferenceException"/> for an unknown model or version.
/// </summary>
public interface IInferenceDataPlane
{
    /// <summary>True when the cluster can serve at all: it has a device, and this process's start-up loading is done.</summary>
    Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    /// <summary>The server's name, version and implemented protocol extensions.</summary>
    ServerMetadata GetServerMetadata();

    /// <summary>A model's metadata, for one version or the model.</summary>
    Task<ModelMetadata> GetModelMetadataAsync(string model, string? version, CancellationToken cancellationToken);

    /// <summary>True when the model (or that version) has an instance loaded somewhere in the cluster.</summary>
    Task<bool> IsModelReadyAsync(string model, string? version, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one inference request on the model. <paramref name="header"/> reads the request's headers (or gRPC
    /// metadata), for a traffic split's sticky header; null when there are none.
    /// </summary>
    Task<InferenceResult> InferAsync(string model, InferenceRequest request, Func<string, string?>? header, CancellationToken cancellationToken);

    /// <summary>Every model version of the repository with its state; only ready ones when <paramref name="readyOnly"/>.</summary>
    Task<IReadOnlyList<RepositoryIndexEntry>> GetRepositoryIndexAsync(bool readyOnly, CancellationToken cancellationToken);

    /// <summary>
    /// Loads (or reloads) a model, optionally with a JSON config that replaces config.json. Throws
    /// <see cref="GrainServe.Errors.InferenceException"/> when the model is unknown or no version loads.
    /// </summary>
    Task LoadModelAsync(string model, string? configJson, CancellationToken cancellationToken);

    /// <summary>Unloads a model from every device; it answers not ready until loaded again.</summary>
    Task UnloadModelAsync(string model, CancellationToken cancellationToken);

    /// <summary>Statistics of one model (or version), or of every model when <paramref name="model"/> is null.</summary>
    Task<IReadOnlyList<ModelStatistics>> GetStatisticsAsync(string? model, string? version, CancellationToken cancellationToken);

    /// <summary>A model's effective configuration.</summary>
    Task<ModelConfig> GetModelConfigAsync(string model, string? version, CancellationToken cancellationToken);

    /// <summary>
    /// A model's instances (of every version, or of one), each with its device, state, requests pending and memory.
    /// Throws <see cref="GrainServe.Errors.InferenceException"/> for an unknown model or version.
    /// </summary>
    Task<IReadOnlyList<ModelInstanceStatus>> GetModelInstancesAsync(string model, string? version, CancellationToken cancellationToken);

    /// <summary>The cluster's devices with their live figures (memory, instances, pending requests, batches run).</summary>
    Task<IReadOnlyList<Gpu.DeviceInfo>> GetDevicesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Streams a generation on a text generation model. Expected failures (unknown model, not a generation model, bad
    /// sampling values, not ready) come as a first and only chunk with an error, before any text.
    /// </summary>
    IAsyncEnumerable<GenerateChunk> GenerateAsync(string model, GenerateRequest request, Func<string, string?>? header, CancellationToken cancellationToken);

    /// <summary>A model's traffic split: weights in force, their source, per-version figures.</summary>
    Task<TrafficStatus> GetTrafficAsync(string model, CancellationToken cancellationToken);

    /// <summary>
    /// Sets a model's traffic weights at run time. Throws <see cref="GrainServe.Errors.InferenceException"/> for an unknown
    /// model (<c>ModelNotFound</c>) or bad weights (<c>InvalidInput</c>).
    /// </summary>
    Task<TrafficStatus> SetTrafficAsync(string model, Dictionary<string, int> weights, CancellationToken cancellationToken);
}
