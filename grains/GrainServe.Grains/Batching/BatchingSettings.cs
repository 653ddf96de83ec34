using GrainServe.Models;

namespace GrainServe.Batching;

/// <summary>
/// The batch queue settings of one model version, taken from its effective configuration.
/// </summary>
/// <param name="MaxBatchSize">The most rows one run takes; 0 when the model has no batch dimension.</param>
/// <param name="Dynamic">True when <c>dynamic_batching</c> is configured; otherwise each request runs alone.</param>
/// <param name="PreferredBatchSizes">Row counts to send as soon as they are reached.</param>
/// <param name="MaxQueueDelay">The longest the oldest request waits for others to join.</param>
/// <param name="MaxQueueSize">The most requests waiting; 0 for no limit.</param>
/// <param name="QueueTimeout">How long a request may wait before <paramref name="TimeoutAction"/> applies; zero for never.</param>
/// <param name="TimeoutAction">Reject or keep a request past its timeout.</param>
public sealed record BatchingSettings(
    int MaxBatchSize,
    bool Dynamic,
    IReadOnlyList<int> PreferredBatchSizes,
    TimeSpan MaxQueueDelay,
    int MaxQueueSize,
    TimeSpan QueueTimeout,
    QueueTimeoutAction TimeoutAction)
{
    /// <summary>Settings that run every request alone, at once.</summary>
    public static BatchingSettings Off { get; } = new(0, false, [], TimeSpan.Zero, 0, TimeSpan.Zero, QueueTimeoutAction.Reject);

    /// <summary>Reads the settings from an effective configuration.</summary>
    public static BatchingSettings FromConfig(ModelConfig config)
    {
        var batching = config.DynamicBatching;
        var queue = batching?.DefaultQueuePolicy;
        return new BatchingSettings(
            config.MaxBatchSize ?? 0,
            batching is not null && config.MaxBatchSize > 0,
            batching?.PreferredBatchSize.Order().ToArray() ?? [],
            TimeSpan.FromMicroseconds(batching?.MaxQueueDelayMicroseconds ?? 0),
            queue?.MaxQueueSize ?? 0,
            TimeSpan.FromMicroseconds(queue?.DefaultTimeoutMicroseconds ?? 0),
            queue?.TimeoutAction == "DELAY" ? QueueTimeoutAction.Delay : QueueTimeoutAction.Reject);
    }
}
