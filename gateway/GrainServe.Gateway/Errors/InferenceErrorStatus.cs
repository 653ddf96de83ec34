using GrainServe.Errors;

namespace GrainServe.Gateway.Errors;

/// <summary>
/// The one table from <see cref="InferenceErrorCode"/> to HTTP status. Every REST error goes through it.
/// </summary>
public static class InferenceErrorStatus
{
    /// <summary>The HTTP status of an error code.</summary>
    public static int ToHttp(InferenceErrorCode code) => code switch
    {
        InferenceErrorCode.InvalidInput => StatusCodes.Status400BadRequest,
        InferenceErrorCode.ModelNotFound => StatusCodes.Status404NotFound,
        InferenceErrorCode.ModelNotReady => StatusCodes.Status503ServiceUnavailable,
        InferenceErrorCode.QueueFull => StatusCodes.Status503ServiceUnavailable,
        InferenceErrorCode.Timeout => StatusCodes.Status503ServiceUnavailable,
        InferenceErrorCode.Cancelled => StatusCodes.Status503ServiceUnavailable,
        InferenceErrorCode.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>True when a client may retry the same request later (503s).</summary>
    public static bool IsRetryable(InferenceErrorCode code) => ToHttp(code) == StatusCodes.Status503ServiceUnavailable;
}
