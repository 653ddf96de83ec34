namespace GrainServe.Batching;

/// <summary>
/// Why a request failed, in the four classes of Triton's <c>nv_inference_request_failure{reason}</c>.
/// </summary>
public enum FailureReason
{
    /// <summary>Refused by the scheduler: the queue was full, the request waited past its timeout, or it could not meet its deadline (<c>REJECTED</c>).</summary>
    Rejected,

    /// <summary>The caller went away before it was answered (<c>CANCELED</c>).</summary>
    Canceled,

    /// <summary>The model failed while running it: a failed batch or step (<c>BACKEND</c>).</summary>
    Backend,

    /// <summary>Anything else, such as a request the model refused as invalid (<c>OTHER</c>).</summary>
    Other,
}
