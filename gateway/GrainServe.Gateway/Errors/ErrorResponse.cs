using System.Text.Json;
using GrainServe.Errors;
using GrainServe.Gateway.Rest;

namespace GrainServe.Gateway.Errors;

/// <summary>Writes the protocol's error body, <c>{"error": "..."}</c>, with the status from <see cref="InferenceErrorStatus"/>.</summary>
public static class ErrorResponse
{
    /// <summary>The <c>WWW-Authenticate</c> value of every 401.</summary>
    public const string BearerChallenge = "Bearer realm=\"grainserve\"";

    /// <summary>Writes an error response; a 503 also gets <c>Retry-After: 1</c>.</summary>
    public static async Task WriteAsync(HttpContext context, InferenceErrorCode code, string message)
    {
        var response = context.Response;
        response.StatusCode = InferenceErrorStatus.ToHttp(code);
        response.ContentType = "application/json";
        if (InferenceErrorStatus.IsRetryable(code))
        {
            response.Headers.RetryAfter = "1";
        }

        if (code == InferenceErrorCode.Unauthenticated)
        {
            // RFC 6750: a 401 names the scheme the client should use.
            response.Headers.WWWAuthenticate = BearerChallenge;
        }

        await WriteBodyAsync(context, message);
    }

    /// <summary>Answers a path that no route serves with 404 and the protocol's error body.</summary>
    public static Task WriteNotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/json";
        return WriteBodyAsync(context, $"no endpoint serves {context.Request.Method} {context.Request.Path}; see /v2 for the protocol");
    }

    private static async Task WriteBodyAsync(HttpContext context, string message)
    {
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}
