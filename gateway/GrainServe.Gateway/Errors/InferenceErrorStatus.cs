using GrainServe.Errors;
using GrpcStatusCode = Grpc.Core.StatusCode;

namespace GrainServe.Gateway.Errors;

/// <summary>
/// The two tables from <see cref="InferenceErrorCode"/> to protocol status: HTTP for REST, gRPC status codes for
/// gRPC. Every error of either protocol goes through them, so both agree on what is retryable.
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
        InferenceErrorCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        InferenceErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
        InferenceErrorCode.QuotaExceeded => StatusCodes.Status429TooManyRequests,
        InferenceErrorCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The gRPC status of an error code: never UNKNOWN, and never INTERNAL for a client's mistake.</summary>
    public static GrpcStatusCode ToGrpc(InferenceErrorCode code) => code switch
    {
        InferenceErrorCode.InvalidInput => GrpcStatusCode.InvalidArgument,
        InferenceErrorCode.ModelNotFound => GrpcStatusCode.NotFound,
        InferenceErrorCode.ModelNotReady => GrpcStatusCode.Unavailable,
        InferenceErrorCode.QueueFull => GrpcStatusCode.Unavailable,
        InferenceErrorCode.Timeout => GrpcStatusCode.DeadlineExceeded,
        InferenceErrorCode.Cancelled => GrpcStatusCode.Cancelled,
        InferenceErrorCode.PayloadTooLarge => GrpcStatusCode.ResourceExhausted,
        InferenceErrorCode.Unauthenticated => GrpcStatusCode.Unauthenticated,
        InferenceErrorCode.PermissionDenied => GrpcStatusCode.PermissionDenied,
        InferenceErrorCode.QuotaExceeded => GrpcStatusCode.ResourceExhausted,
        InferenceErrorCode.DeadlineExceeded => GrpcStatusCode.DeadlineExceeded,
        _ => GrpcStatusCode.Internal,
    };

    /// <summary>True when a client may retry the same request later (503s).</summary>
    public static bool IsRetryable(InferenceErrorCode code) => ToHttp(code) == StatusCodes.Status503ServiceUnavailable;
}
