using GrainServe.Contracts;
using GrainServe.Gpu;

namespace GrainServe.Routing;

/// <summary>
/// An instance as one gateway routes to it: the GPU grain to call, and what this gateway knows of its load. A slot
/// outlives table revisions (it is kept by instance id), so its counts stay right while the table changes.
/// </summary>
internal sealed class InstanceSlot(string version, string instanceId, string deviceKey, IGpuGrain device)
{
    private int _inFlight;

    public string Version { get; } = version;

    public string InstanceId { get; } = instanceId;

    public string DeviceKey { get; } = deviceKey;

    public IGpuGrain Device { get; } = device;

    /// <summary>Requests (or streams) this gateway sent to the instance that have not been answered yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>A generation instance's KV cache use (0 to 1) as its last streamed chunk reported it; 0 until it streamed.</summary>
    public double KvCacheUsage { get; set; }

    /// <summary>The batch time and size the instance reported with its latest answer; null until it answered from a queue.</summary>
    public ServiceEstimate? Estimate { get; set; }

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Leave() => Interlocked.Decrement(ref _inFlight);
}
