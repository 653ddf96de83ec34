using Microsoft.Extensions.Logging;

namespace GrainServe.Models;

// Eviction as the model sees it: a device asks before it unloads an idle instance for another model, and a version that
// lost its last instance so is loaded again by its next request (a cache miss), not by a timer.
internal sealed partial class ModelGrain
{
    private const string EvictedReason = "evicted to make room for other models; the next request loads it again";

    // Versions whose last instance left by eviction and that no request has loaded again yet. By reference: a Load
    // replaces the states, and with them any claim left here.
    private readonly HashSet<ModelVersionState> _evicted = [];

    public Task<bool> ReleaseInstance(string version, string deviceKey, string instanceId)
    {
        var state = _versions.GetValueOrDefault(version);
        var slot = state?.Instances.Find(s => s.Info.InstanceId == instanceId && s.Info.DeviceKey == deviceKey);
        if (state is null || slot is null)
        {
            // Nothing routes to it through this grain (an earlier activation loaded it, or a gateway reported it lost).
            return Task.FromResult(true);
        }

        var floor = EvictionFloor();
        if (state.Instances.Count - 1 < floor)
        {
            LogEvictionVetoed(_logger, Name, version, deviceKey, state.Instances.Count, floor);
            return Task.FromResult(false);
        }

        state.Instances.Remove(slot);
        if (state.Instances.Count == 0)
        {
            state.State = ModelReadyState.Unavailable;
            state.Reason = EvictedReason;
            _evicted.Add(state);
        }

        return Task.FromResult(true);
    }

    // The instances eviction leaves each version: autoscaling's min_instances when the model has the block (its default
    // is 1), else none. ModelMesh's rule: an idle model may leave every device, and its next request loads it again;
    // instance_group's count is what a load places, not a floor, since a model nobody uses should not hold memory
    // another model is waiting for.
    private int EvictionFloor() => _definition?.Config.Autoscaling?.MinInstances ?? 0;

    // Whether the version is empty because of eviction and this caller is the one to load it again: the claim is taken
    // once, so that the requests waiting on the same reload count one miss.
    private bool TakeEvicted(ModelVersionState? state) =>
        state is { Instances.Count: 0, Reason: EvictedReason } && _evicted.Remove(state);

    private void CountCacheMiss(ModelVersionState state)
    {
        if (state.Instances.Count > 0)
        {
            GrainServeMetrics.RecordCacheMiss(Name, state.Version);
        }
    }

    [LoggerMessage(EventId = EventIds.EvictionVetoed, EventName = nameof(EventIds.EvictionVetoed), Level = LogLevel.Information,
        Message = "Model {ModelName} version {ModelVersion} kept its instance on {DeviceKey}: it has {InstanceCount} and autoscaling.min_instances is {MinInstances}")]
    private static partial void LogEvictionVetoed(ILogger logger, string modelName, string modelVersion, string deviceKey, int instanceCount, int minInstances);
}
