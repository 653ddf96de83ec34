using GrainServe.Contracts;
using GrainServe.Monitoring;
using GrainServe.Runtime;

namespace GrainServe.Gpu;

/// <summary>
/// One model instance loaded on a device: its scheduler, and the figures eviction reads (requests in progress, last
/// use). Its GPU grain owns it; requests reach it through the grain, or, from a router in the same silo, straight
/// through <see cref="LocalInstances"/>, so the counters are updated from several threads.
/// </summary>
internal sealed class DeviceInstance(ModelInstanceInfo info, IInstanceScheduler scheduler, DateTimeOffset loadedAt, InstanceRegistration metrics, TimeProvider time)
{
    private int _ongoing;
    private long _lastUsedTicks = loadedAt.UtcTicks;

    public ModelInstanceInfo Info { get; } = info;

    public IInstanceScheduler Scheduler { get; } = scheduler;

    // Counted on the metrics port while loaded; disposed after the scheduler, so its last requests are counted too.
    public InstanceRegistration Metrics { get; } = metrics;

    public DateTimeOffset LoadedAt { get; } = loadedAt;

    // When a request last started or finished on it; its load time until the first.
    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    // Requests inside Infer or Generate now. Counted here rather than read from the scheduler's Pending, so that an
    // eviction plan sees every request taken, validation and streaming included.
    public int Ongoing => Volatile.Read(ref _ongoing);

    // Chosen for eviction and waiting for its model grain's answer: no other load's plan may choose it meanwhile.
    // Read and written on the grain's turns only.
    public bool Leaving { get; set; }

    /// <summary>Runs one request on the scheduler, counted as in progress while it runs.</summary>
    public async Task<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        Begin();
        try
        {
            return await Scheduler.Infer(request, cancellationToken);
        }
        finally
        {
            End();
        }
    }

    public void Begin()
    {
        Interlocked.Increment(ref _ongoing);
        Interlocked.Exchange(ref _lastUsedTicks, time.GetUtcNow().UtcTicks);
    }

    public void End()
    {
        Interlocked.Decrement(ref _ongoing);
        Interlocked.Exchange(ref _lastUsedTicks, time.GetUtcNow().UtcTicks);
    }
}
