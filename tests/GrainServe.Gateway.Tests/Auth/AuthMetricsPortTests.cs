using System.Net;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// The metrics port with API keys on: Prometheus brings a bearer key with the metrics scope; a browser signs in once
/// with the form and keeps a session cookie, which opens the operator page, its API and the Orleans dashboard.
/// </summary>
[Collection(AuthGatewayCollection.Name)]
public sealed class AuthMetricsPortTests(AuthGatewayFixture fixture)
{
    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("infer-all", HttpStatusCode.Forbidden)]
    [InlineData("watcher", HttpStatusCode.OK)]
    [InlineData(AuthGatewayFixture.AdminKey, HttpStatusCode.OK)]
    public async Task Metrics_NeedsTheMetricsScope(string? key, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", fixture.Key(key));
        }

        using var response = await fixture.Metrics.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Contains("nv_inference_request_success", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OperatorPage_ABrowserWithoutASession_IsSentToSignIn()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/?tab=models");
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await fixture.Metrics.SendAsync(request);
        using var form = await fixture.Metrics.GetAsync(response.Headers.Location);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin?return=%2F%3Ftab%3Dmodels", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var html = await form.Content.ReadAsStringAsync();
        Assert.Contains("<form method=\"post\" action=\"/signin\">", html, StringComparison.Ordinal);
        Assert.Contains("value=\"/?tab=models\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithAMetricsKey_SetsAStrictHttpOnlyCookie_ThatOpensThePageItsApiAndTheDashboard()
    {
        using var signIn = await SignInAsync("watcher", "/dashboard");

        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Equal("/dashboard", signIn.Headers.Location!.OriginalString);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(SignInEndpoints.CookieName + "=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(fixture.Key("watcher"), cookie, StringComparison.Ordinal);
        var session = cookie.Split(';')[0];

        foreach (var path in new[] { "/", "/api/overview", "/dashboard/", "/dashboard/DashboardCounters", "/metrics" })
        {
            using var withCookie = await GetAsync(path, session);
            using var without = await GetAsync(path, null);
            Assert.True(withCookie.StatusCode == HttpStatusCode.OK, $"{path} with the session: {withCookie.StatusCode}");
            Assert.True(without.StatusCode == HttpStatusCode.Unauthorized, $"{path} without it: {without.StatusCode}");
        }

        // The session is the metrics port's alone: the API's routes take bearer keys only.
        using var api = fixture.Request(HttpMethod.Get, "/v2", null);
        api.Headers.Add("Cookie", session);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Http.SendAsync(api)).StatusCode);
    }

    [Fact]
    public async Task SignIn_WithAnUnknownKeyOrOneWithoutMetrics_IsRefusedWithoutACookie()
    {
        using var unknown = await SignInAsync(null, "/");
        using var inferOnly = await SignInAsync("infer-all", "/");

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, inferOnly.StatusCode);
        Assert.False(unknown.Headers.Contains("Set-Cookie"));
        Assert.False(inferOnly.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task SignIn_AnAbsoluteReturnAddress_GoesHomeInstead()
    {
        using var signIn = await SignInAsync("watcher", "//evil.example/");

        Assert.Equal("/", signIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        using var signIn = await SignInAsync("watcher", "/");
        var session = signIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/signout");
        signOut.Headers.Add("Cookie", session);

        using var _ = await fixture.Metrics.SendAsync(signOut);
        using var after = await GetAsync("/api/overview", session);

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    internal static async Task<HttpResponseMessage> SignInAsync(AuthGatewayFixture fixture, string? key, string returnTo) =>
        await fixture.Metrics.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["key"] = key is null ? "gsk-unknown" : fixture.Key(key),
            ["return"] = returnTo,
        }));

    internal static async Task<HttpResponseMessage> GetAsync(AuthGatewayFixture fixture, string path, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await fixture.Metrics.SendAsync(request);
    }

    private Task<HttpResponseMessage> SignInAsync(string? key, string returnTo) => SignInAsync(fixture, key, returnTo);

    private Task<HttpResponseMessage> GetAsync(string path, string? cookie) => GetAsync(fixture, path, cookie);
}
