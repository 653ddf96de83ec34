using GrainServe.Errors;

namespace GrainServe.Batching;

/// <summary>Maps the cluster's error codes onto Triton's failure reasons, and those onto their label values.</summary>
public static class FailureReasons
{
    /// <summary>Every reason, in the order of <see cref="FailureReason"/>.</summary>
    public static IReadOnlyList<FailureReason> All { get; } = Enum.GetValues<FailureReason>();

    /// <summary>The reason a request that failed with <paramref name="code"/> counts under.</summary>
    public static FailureReason Of(InferenceErrorCode code) => code switch
    {
        InferenceErrorCode.QueueFull or InferenceErrorCode.Timeout or InferenceErrorCode.DeadlineExceeded => FailureReason.Rejected,
        InferenceErrorCode.Cancelled => FailureReason.Canceled,
        InferenceErrorCode.Internal => FailureReason.Backend,
        _ => FailureReason.Other,
    };

    /// <summary>Triton's label value: <c>REJECTED</c>, <c>CANCELED</c>, <c>BACKEND</c> or <c>OTHER</c>.</summary>
    public static string Label(FailureReason reason) => reason switch
    {
        FailureReason.Rejected => "REJECTED",
        FailureReason.Canceled => "CANCELED",
        FailureReason.Backend => "BACKEND",
        _ => "OTHER",
    };
}
