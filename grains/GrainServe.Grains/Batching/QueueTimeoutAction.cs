namespace GrainServe.Batching;

/// <summary>What happens to a request that waited in the queue past its timeout (Triton's <c>timeout_action</c>).</summary>
public enum QueueTimeoutAction
{
    /// <summary>Fail it with a retryable timeout error.</summary>
    Reject,

    /// <summary>Keep it queued; it runs when its turn comes.</summary>
    Delay,
}
