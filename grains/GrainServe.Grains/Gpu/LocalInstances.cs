using System.Collections.Concurrent;

namespace GrainServe.Gpu;

/// <summary>
/// The model instances loaded on this silo's devices, by device and instance, for a router in the same process (the
/// embedded default, or a gateway that also hosts devices): a request for one of them runs on its scheduler directly
/// instead of through a call to its GPU grain. Measured on the tiny model over gRPC at concurrency 64 (BENCHMARKS.md),
/// that call was about a quarter of GrainServe's CPU per request. What the call did is kept: the instance counts the
/// request as in progress (eviction and drain wait for it), and an instance unloaded meanwhile answers ModelNotReady,
/// which the router fails over as it does for a stale table. A silo without devices has none.
/// </summary>
public sealed class LocalInstances
{
    private readonly ConcurrentDictionary<(string DeviceKey, string InstanceId), DeviceInstance> _instances = new();

    /// <summary>How many instances are loaded on this silo.</summary>
    public int Count => _instances.Count;

    internal void Add(DeviceInstance instance) => _instances[(instance.Info.DeviceKey, instance.Info.InstanceId)] = instance;

    internal void Remove(string deviceKey, string instanceId) => _instances.TryRemove((deviceKey, instanceId), out _);

    internal DeviceInstance? Find(string deviceKey, string instanceId) => _instances.GetValueOrDefault((deviceKey, instanceId));
}
