namespace GrainServe.Models;

/// <summary>
/// One grain per model: the control plane of its model. It loads the versions the model's version policy names onto
/// devices, hands gateways the routing table they send requests by (requests go from the gateway to the GPU grains, never
/// through this grain), and answers the model's metadata and readiness.
/// </summary>
/// <remarks>Key: the model's name, exactly as its folder in the model repository is named.</remarks>
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>
    /// The table gateways route the model's requests by, loading the model first when nothing loaded it yet (requests that
    /// arrive during a load wait for it rather than fail). Null when <paramref name="knownRevision"/> is still current.
    /// <paramref name="report"/> carries the caller's requests in flight, the load signal for scaling. Throws
    /// <see cref="Errors.InferenceException"/> with <c>ModelNotFound</c> for a model that is not in the repository.
    /// </summary>
    Task<RoutingTable?> GetRoutingTable(long knownRevision, RoutingReport? report);

    /// <summary>
    /// Called by a gateway whose request found <paramref name="lost"/> gone (its device answered not ready, or
    /// its silo is unreachable), or found <paramref name="version"/> with no instance: forgets the lost instance and, when
    /// the version is left with none (or a model that failed to place may be tried again), places it again. Returns the
    /// table after that. For a version scaled to zero (<see cref="RoutedVersion.ScalesFromZero"/>) it loads one instance
    /// and answers once it is up, after <c>cold_start_timeout_s</c> at most; callers that arrive meanwhile share that load.
    /// </summary>
    /// <remarks>The response timeout covers the longest <c>cold_start_timeout_s</c> the config validator allows.</remarks>
    [ResponseTimeout("00:10:30")]
    Task<RoutingTable> Recover(string version, RoutedInstance? lost);

    /// <summary>The model's traffic split: the weights in force, where they come from, and per-version figures.</summary>
    Task<TrafficStatus> GetTraffic();

    /// <summary>
    /// Sets the weights of the model's traffic split at run time (they outlive the grain's activation and replace
    /// config.json's until set again); versions named and not yet loaded are loaded first. Requests in flight finish on the
    /// version that took them. Throws <see cref="Errors.InferenceException"/> with <c>InvalidInput</c> for a negative
    /// weight, a version that is not in the repository or cannot be made ready, or weights that are all zero.
    /// </summary>
    Task<TrafficStatus> SetTraffic(Dictionary<string, int> weights);

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
    /// The instances of every version, or of one version, with their devices, requests pending and memory, asking each
    /// device for its live figures; newest version first. Instances a scale-down took out of routing are listed as
    /// <c>Unloading</c> until they are unloaded. Never triggers a load. Throws <see cref="Errors.InferenceException"/>
    /// with <c>ModelNotFound</c> for an unknown model or version.
    /// </summary>
    Task<ModelInstanceStatus[]> GetInstances(string? version);

    /// <summary>
    /// Loads every version the policy names that has no instance yet. Returns their states; a version that
    /// cannot load is Unavailable with its reason, the others are unaffected.
    /// </summary>
    Task<ModelVersionStatus[]> EnsureLoaded();

    /// <summary>
    /// Asked by device <paramref name="deviceKey"/> before it evicts instance <paramref name="instanceId"/> of
    /// <paramref name="version"/> to make room for another model. True: the grain has stopped routing to it (its table
    /// drops it), and a version left with no instance is loaded again by its next request. False, a veto: the version's
    /// <c>autoscaling.min_instances</c> needs it, and it stays loaded. An instance the grain does not route to is released.
    /// </summary>
    Task<bool> ReleaseInstance(string version, string deviceKey, string instanceId);
}
