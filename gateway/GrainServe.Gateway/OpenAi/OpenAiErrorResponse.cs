using System.Text.Json;
using GrainServe.Errors;
using GrainServe.Gateway.Errors;
using GrainServe.Gateway.Rest;

namespace GrainServe.Gateway.OpenAi;

/// <summary>OpenAI's error body, <c>{"error": {"message", "type", "param", "code"}}</c>, with the status of <see cref="InferenceErrorStatus"/>.</summary>
internal static class OpenAiErrorResponse
{
    public static async Task WriteAsync(HttpContext context, InferenceErrorCode code, string message)
    {
        var status = InferenceErrorStatus.ToHttp(code);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (code == InferenceErrorCode.Unauthenticated)
        {
            context.Response.Headers.WWWAuthenticate = ErrorResponse.BearerChallenge;
        }

        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("message", message);
        // OpenAI's 429s say which limit ran out in "type"; a quota refusal here is a request refused, whichever quota.
        writer.WriteString("type", status >= 500 ? "server_error" : code == InferenceErrorCode.QuotaExceeded ? "requests" : "invalid_request_error");
        writer.WriteNull("param");
        // OpenAI's own codes where it has one for the case.
        var openAiCode = code switch
        {
            InferenceErrorCode.ModelNotFound => "model_not_found",
            InferenceErrorCode.Unauthenticated => "invalid_api_key",
            InferenceErrorCode.PermissionDenied => "permission_denied",
            InferenceErrorCode.QuotaExceeded => "rate_limit_exceeded",
            _ => null,
        };
        if (openAiCode is null)
        {
            writer.WriteNull("code");
        }
        else
        {
            writer.WriteString("code", openAiCode);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}
