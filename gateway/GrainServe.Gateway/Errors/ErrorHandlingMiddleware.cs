using GrainServe.Errors;

namespace GrainServe.Gateway.Errors;

/// <summary>
/// The one place REST exceptions become responses: an <see cref="InferenceException"/> gets its code's status,
/// an over-large body 413, any other failure 500 with its message, so a client never sees an empty reply.
/// </summary>
internal sealed partial class ErrorHandlingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<ErrorHandlingMiddleware> _logger;

    public ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await _next(context);
        }
        catch (InferenceException ex) when (!context.Response.HasStarted)
        {
            await ErrorResponse.WriteAsync(context, ex.Code, ex.Message);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            var code = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? InferenceErrorCode.PayloadTooLarge : InferenceErrorCode.InvalidInput;
            await ErrorResponse.WriteAsync(context, code, code == InferenceErrorCode.PayloadTooLarge
                ? $"the request body is larger than the server's limit: {ex.Message}"
                : ex.Message);
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex) && !context.Response.HasStarted)
        {
            // The cluster, not the request, failed (a silo left mid-call): the client may retry.
            await ErrorResponse.WriteAsync(context, InferenceErrorCode.ModelNotReady, $"the cluster could not answer: {ex.Message}; retry");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: there is nobody to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogUnhandled(_logger, ex, context.Request.Path);
            await ErrorResponse.WriteAsync(context, InferenceErrorCode.Internal, $"internal error: {ex.Message}");
        }
    }

    [LoggerMessage(EventId = EventIds.UnhandledRequestError, EventName = nameof(EventIds.UnhandledRequestError), Level = LogLevel.Error, Message = "Request {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);
}
