using GrainServe.Errors;
using GrainServe.Models;

namespace GrainServe.Gpu;

// Memory pressure: a load that does not fit unloads least recently used idle instances of other models, by the
// EvictionPolicy, each only once its model grain has let it go (so that no routing table still names it and no
// min_instances is broken). A request that reaches an evicted instance through a stale table gets ModelNotReady, and its
// router fails over and asks the model grain to place the version again.
internal sealed partial class GpuGrain
{
    // Each round unloads or keeps (a veto) at least one instance, so a few settle any device; the bound only guards
    // against loads that keep taking the room freed for this one.
    private const int MaxEvictionRounds = 8;

    // How long an evicted instance may finish the requests that reached it while its model grain was being asked.
    private static readonly TimeSpan EvictionDrainTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan EvictionDrainPoll = TimeSpan.FromMilliseconds(20);

    // Evicts until bytesNeeded fits in the budget left; null when it fits, else why it cannot.
    private async Task<string?> MakeRoomAsync(string modelName, string modelVersion, long bytesNeeded)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < MaxEvictionRounds; round++)
        {
            var free = _device.BudgetBytes - _usedBytes;
            var candidates = _instances.Values
                .Where(i => !i.Leaving)
                .Select(i => new EvictionCandidate(i.Info.InstanceId, i.Info.ModelName, i.Info.ModelVersion, i.Info.MemoryBytes, i.LastUsed, i.LoadedAt, i.Ongoing, !kept.Contains(i.Info.InstanceId)))
                .ToList();
            var plan = EvictionPolicy.Plan(bytesNeeded, free, candidates, modelName, _time.GetUtcNow(), _evictionMinAge);
            if (!plan.Fits)
            {
                return plan.Reason;
            }

            if (plan.Evict.Count == 0)
            {
                return null;
            }

            var reason = $"to make room for model '{modelName}' version {modelVersion}, which needs {bytesNeeded >> 20} MiB with {free >> 20} MiB free";
            foreach (var candidate in plan.Evict)
            {
                if (!await EvictAsync(candidate, reason))
                {
                    kept.Add(candidate.InstanceId);
                }
            }
        }

        return $"other loads took the room freed for it {MaxEvictionRounds} times";
    }

    // Unloads one planned instance once its model grain releases it; false when the grain vetoes or cannot be asked.
    private async Task<bool> EvictAsync(EvictionCandidate candidate, string reason)
    {
        if (!_instances.TryGetValue(candidate.InstanceId, out var instance) || instance.Leaving)
        {
            return false;
        }

        var key = this.GetPrimaryKeyString();
        var idle = _time.GetUtcNow() - instance.LastUsed;
        instance.Leaving = true;
        bool released;
        try
        {
            released = await GrainFactory.GetGrain<IModelGrain>(candidate.ModelName).ReleaseInstance(candidate.ModelVersion, key, candidate.InstanceId);
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            // Its routing table may still name it: keeping it is safe, unloading it could strand requests.
            released = false;
        }

        if (!released)
        {
            instance.Leaving = false;
            return false;
        }

        _local.Remove(instance.Info.DeviceKey, candidate.InstanceId);
        if (!_instances.Remove(candidate.InstanceId))
        {
            // Unloaded meanwhile (its model was unloaded); its memory is freed already.
            return true;
        }

        // Requests routed here before the model grain let it go are answered; later ones find it gone and fail over.
        var deadline = _time.GetUtcNow() + EvictionDrainTimeout;
        while (instance.Ongoing > 0 && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(EvictionDrainPoll, _time);
        }

        _usedBytes -= instance.Info.MemoryBytes;
        await instance.Scheduler.DisposeAsync();
        instance.Metrics.Dispose();
        GrainServeMetrics.RecordEviction(candidate.ModelName, candidate.ModelVersion);
        LogInstanceEvicted(_logger, candidate.ModelName, candidate.ModelVersion, key, instance.Info.MemoryBytes, $"least recently used (idle {idle.TotalSeconds:0.#} s) {reason}");
        await RegisterAsync();
        return true;
    }
}
