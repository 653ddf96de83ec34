using GrainServe.Contracts;
using GrainServe.Generation;

namespace GrainServe.Models;

/// <summary>
/// One grain per model. It loads the versions the model's version policy names onto devices, routes each
/// request to the least loaded instance, and answers the model's metadata and readiness.
/// </summary>
/// <remarks>Key: the model's name, exactly as its folder in the model repository is named.</remarks>
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates the request against the model and runs it on an instance. Never throws for an expected
    /// failure: bad input, unknown version, not ready and a full queue come back as an error value. Cancelling
    /// <paramref name="cancellationToken"/> (the caller went away) takes the request out of its instance's queue if
    /// it has not run yet.
    /// </summary>
    Task<InferenceResult> Infer(InferenceRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// The model's metadata, for one version or (when <paramref name="version"/> is null) the model.
    /// Throws <see cref="Errors.InferenceException"/> with <c>ModelNotFound</c> for an unknown model or version.
    /// </summary>
    Task<ModelMetadata> GetMetadata(string? version);

    /// <summary>
    /// The state of each version tried so far, without loading anything; empty when none was tried.
    /// Throws <see cref="Errors.InferenceException"/> with <c>ModelNotFound</c> for an unknown model.
    /// </summary>
    Task<ModelVersionStatus[]> GetVersionStatus();

    /// <summary>
    /// Loads the model again from the repository: unloads every instance, then loads the versions the policy
    /// names. <paramref name="configJson"/>, when given, is a JSON model configuration that replaces
    /// config.json until the next load without one. Throws <see cref="Errors.InferenceException"/>:
    /// <c>ModelNotFound</c> for an unknown model, <c>InvalidInput</c> for a config that is not valid JSON.
    /// </summary>
    Task<ModelVersionStatus[]> Load(string? configJson);

    /// <summary>
    /// Unloads every instance of every version on every device, freeing their memory; requests queued on them
    /// fail as not ready. The model answers not ready (reason "unloaded") until it is loaded again.
    /// </summary>
    Task Unload();

    /// <summary>
    /// The effective configuration (completed from the model file) of one version, or of the newest loaded
    /// version when <paramref name="version"/> is null; the configuration as written when none is loaded.
    /// </summary>
    Task<ModelConfig> GetConfig(string? version);

    /// <summary>
    /// Stops routing to the instances on device <paramref name="deviceKey"/> (it is draining or gone); versions left
    /// without an instance are placed again on the other devices.
    /// </summary>
    Task ForgetDevice(string deviceKey);

    /// <summary>The statistics of each loaded version, or of one version; newest first.</summary>
    Task<ModelStatistics[]> GetStatistics(string? version);

    /// <summary>
    /// Loads every version the policy names that has no instance yet. Returns their states; a version that
    /// cannot load is Unavailable with its reason, the others are unaffected.
    /// </summary>
    Task<ModelVersionStatus[]> EnsureLoaded();

    /// <summary>
    /// Streams a generation from one of the version's instances (the one with the fewest sequences queued or running).
    /// Expected failures (unknown version, not ready, not a generation model, bad sampling values) come as one chunk with an
    /// error. When an instance is lost before it streamed anything the request runs on another; once text has been
    /// streamed, a lost instance ends the stream with a retryable error.
    /// </summary>
    IAsyncEnumerable<GenerateChunk> Generate(GenerateRequest request, CancellationToken cancellationToken = default);
}
