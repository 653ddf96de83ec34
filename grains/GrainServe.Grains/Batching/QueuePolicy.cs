namespace GrainServe.Batching;

/// <summary>
/// The queue policy of one priority level (Triton's <c>ModelQueuePolicy</c>), read from the effective configuration.
/// </summary>
/// <param name="MaxQueueSize">The most requests of this level waiting; 0 for no limit.</param>
/// <param name="Timeout">How long a request of this level may wait before <paramref name="TimeoutAction"/> applies; zero for never.</param>
/// <param name="TimeoutAction">Reject or keep a request past its timeout.</param>
/// <param name="AllowTimeoutOverride">Whether a request's own <c>timeout</c> parameter may shorten <paramref name="Timeout"/>.</param>
public sealed record QueuePolicy(int MaxQueueSize, TimeSpan Timeout, QueueTimeoutAction TimeoutAction, bool AllowTimeoutOverride)
{
    /// <summary>Reads a configured policy; null reads as Triton's defaults (no limit, no timeout, reject).</summary>
    public static QueuePolicy FromConfig(Models.QueuePolicyConfig? queue) => new(
        queue?.MaxQueueSize ?? 0,
        TimeSpan.FromMicroseconds(queue?.DefaultTimeoutMicroseconds ?? 0),
        queue?.TimeoutAction == "DELAY" ? QueueTimeoutAction.Delay : QueueTimeoutAction.Reject,
        queue?.AllowTimeoutOverride ?? false);
}
