using System.Net;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// The metrics port's sign-in, for browsers (Prometheus sends its bearer key instead): <c>GET /signin</c> shows a form,
/// <c>POST /signin</c> takes the key and answers with an HttpOnly, SameSite=Strict session cookie (see
/// <see cref="ApiKeySessions"/>), then sends the browser back where it was going; <c>POST /signout</c> ends the session.
/// </summary>
internal static partial class SignInEndpoints
{
    public const string CookieName = "grainserve_session";
    public const string Path = "/signin";

    // The page needs no script, and posts only to itself.
    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

    public static void MapSignInEndpoints(this IEndpointRouteBuilder endpoints, string host)
    {
        endpoints.MapGet(Path, (HttpContext c) => WriteFormAsync(c, StatusCodes.Status200OK, null)).RequireHost(host);
        endpoints.MapPost(Path, SignInAsync).RequireHost(host);
        endpoints.MapPost("/signout", SignOut).RequireHost(host);
    }

    /// <summary>Where a browser that needs to sign in is sent, to come back to <paramref name="request"/>'s page after.</summary>
    public static string PathTo(HttpRequest request) => $"{Path}?return={Uri.EscapeDataString(request.Path + request.QueryString)}";

    private static async Task SignInAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnTo = LocalPath(form["return"]);
        var key = context.RequestServices.GetRequiredService<ApiKeyAuthenticator>().Find(form["key"].ToString());
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInEndpoints));
        if (key is null || !key.Identity.HasScope(ApiKeyScopes.Metrics))
        {
            LogSignInRefused(logger, key?.Identity.Name ?? "(unknown key)");
            await WriteFormAsync(context, key is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden,
                key is null ? "That key is not known." : $"The key '{key.Identity.Name}' lacks the metrics scope.", returnTo);
            return;
        }

        var sessions = context.RequestServices.GetRequiredService<ApiKeySessions>();
        context.Response.Cookies.Append(CookieName, sessions.Start(key), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = sessions.Lifetime,
        });
        LogSessionStarted(logger, key.Identity.Name);
        // 303: the browser follows with a GET, and a reload does not post the key again.
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = returnTo;
    }

    private static IResult SignOut(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is { } session)
        {
            context.RequestServices.GetRequiredService<ApiKeySessions>().End(session);
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
        return Results.Redirect(Path, permanent: false, preserveMethod: false);
    }

    // Only a path of this server: an absolute or scheme-relative address would make the form an open redirect.
    private static string LocalPath(string? returnTo) =>
        returnTo is { Length: > 0 } && returnTo[0] == '/' && !returnTo.StartsWith("//", StringComparison.Ordinal) && !returnTo.StartsWith("/\\", StringComparison.Ordinal)
            ? returnTo : "/";

    private static Task WriteFormAsync(HttpContext context, int status, string? message, string? returnTo = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.CacheControl = "no-store";
        var back = WebUtility.HtmlEncode(returnTo ?? LocalPath(context.Request.Query["return"]));
        var notice = message is null ? "" : $"<p role=\"alert\">{WebUtility.HtmlEncode(message)}</p>";
        return context.Response.WriteAsync($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>GrainServe: sign in</title>
            <style>body{font:16px system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}input{width:100%;padding:.5rem;margin:.5rem 0;box-sizing:border-box}[role=alert]{color:#b00}</style></head>
            <body><h1>GrainServe</h1><p>Sign in with an API key that has the <code>metrics</code> scope.</p>{{notice}}
            <form method="post" action="{{Path}}"><input type="hidden" name="return" value="{{back}}">
            <label for="key">API key</label><input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
            <button type="submit">Sign in</button></form></body></html>
            """, context.RequestAborted);
    }

    [LoggerMessage(EventId = EventIds.SessionStarted, EventName = nameof(EventIds.SessionStarted), Level = LogLevel.Information, Message = "Metrics-port session started for key {KeyName}")]
    private static partial void LogSessionStarted(ILogger logger, string keyName);

    [LoggerMessage(EventId = EventIds.SignInRefused, EventName = nameof(EventIds.SignInRefused), Level = LogLevel.Information, Message = "Metrics-port sign-in refused for {KeyName}")]
    private static partial void LogSignInRefused(ILogger logger, string keyName);
}
