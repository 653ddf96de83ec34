namespace GrainServe.Errors;

/// <summary>
/// Which exceptions from a grain call mean the cluster, not the request, failed: the one place that says which
/// failures are routed around or retried.
/// </summary>
public static class ClusterFailure
{
    /// <summary>
    /// The call did not complete because a silo or activation was unreachable or the call timed out (any Orleans
    /// runtime failure, and a streamed call's enumeration aborted on the grain's side, which Orleans raises as a plain
    /// exception when the activation serving it went away): the device or grain behind it is treated as gone.
    /// </summary>
    public static bool IsUnreachable(Exception exception) => exception is OrleansException or TimeoutException or EnumerationAbortedException;

    /// <summary>
    /// The message was rejected before a live activation ran it (its silo is unavailable or leaving) or timed out:
    /// sending it again, once the grain is active elsewhere, is safe for idempotent calls such as inference.
    /// </summary>
    public static bool IsUndelivered(Exception exception) => exception is OrleansMessageRejectionException or TimeoutException;
}
