using GrainServe.Errors;
using GrainServe.Gateway.Errors;
using GrainServe.Gateway.OpenAi;
using GrainServe.Gateway.Quotas;
using GrainServe.Quotas;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// The REST side of the API keys, after routing: a route with an <see cref="ApiKeyRequirement"/> needs a known key
/// (401 otherwise), one of the route's scopes and, where the route names a <c>{model}</c>, that model (403 otherwise),
/// before its handler runs. The identity then rides on the request's features (<see cref="ApiKeyIdentity.Of(HttpContext)"/>).
/// </summary>
internal sealed partial class ApiKeyMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator, ApiKeySessions sessions, QuotaGate quotas, ILogger<ApiKeyMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<ApiKeyRequirement>() is not { } requirement)
        {
            await next(context);
            return;
        }

        var identity = Authenticate(context, requirement, out var reason);
        if (identity is null)
        {
            LogUnauthenticated(logger, context.Request.Path, reason);
            await RefuseAsync(context, requirement, InferenceErrorCode.Unauthenticated, reason);
            return;
        }

        var scopes = requirement.Scope is { } scope ? [scope] : ApiKeyRoutes.ForRest(endpoint);
        string? denied = null;
        if (!scopes.Any(identity.HasScope))
        {
            denied = $"the API key '{identity.Name}' lacks the scope this route needs ({string.Join(" or ", scopes)})";
        }
        else if (context.Request.RouteValues.TryGetValue("model", out var value) && value is string model && !identity.MayUse(model))
        {
            denied = ApiKeyIdentity.ModelDenied(identity, model);
        }

        if (denied is not null)
        {
            LogForbidden(logger, identity.Name, context.Request.Path, denied);
            await RefuseAsync(context, requirement, InferenceErrorCode.PermissionDenied, denied);
            return;
        }

        context.Features.Set(identity);
        var admitted = await quotas.AdmitAsync(identity, context.RequestAborted);
        if (!admitted.Allowed)
        {
            context.Response.Headers.RetryAfter = QuotaGate.RetryAfterSeconds(admitted.RetryAfter);
            await RefuseAsync(context, requirement, InferenceErrorCode.QuotaExceeded, QuotaGate.Refusal(identity.Name, QuotaNames.RequestsPerSecond, admitted.RetryAfter));
            return;
        }

        await next(context);
    }

    // A bearer key wins over a cookie; the cookie counts only where the requirement takes sessions.
    private ApiKeyIdentity? Authenticate(HttpContext context, ApiKeyRequirement requirement, out string reason)
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count > 0 || !requirement.AcceptsSession || context.Request.Cookies[SignInEndpoints.CookieName] is not { } session)
        {
            return authenticator.Authenticate(header, out reason);
        }

        var identity = sessions.Resolve(session);
        reason = identity is null ? "the sign-in session has ended; sign in again" : "";
        return identity;
    }

    private static Task RefuseAsync(HttpContext context, ApiKeyRequirement requirement, InferenceErrorCode code, string message)
    {
        switch (requirement.Style)
        {
            case ApiKeyErrorStyle.OpenAi:
                return OpenAiErrorResponse.WriteAsync(context, code, message);
            case ApiKeyErrorStyle.MetricsPort when code == InferenceErrorCode.Unauthenticated && WantsPage(context.Request):
                // A browser is sent to sign in, and back here after.
                context.Response.Redirect(SignInEndpoints.PathTo(context.Request));
                return Task.CompletedTask;
            default:
                return ErrorResponse.WriteAsync(context, code, message);
        }
    }

    private static bool WantsPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    [LoggerMessage(EventId = EventIds.RequestUnauthenticated, EventName = nameof(EventIds.RequestUnauthenticated), Level = LogLevel.Information, Message = "Request {Path} refused: {Reason}")]
    private static partial void LogUnauthenticated(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = EventIds.RequestForbidden, EventName = nameof(EventIds.RequestForbidden), Level = LogLevel.Information, Message = "Request {Path} of key {KeyName} refused: {Reason}")]
    private static partial void LogForbidden(ILogger logger, string keyName, string path, string reason);
}
