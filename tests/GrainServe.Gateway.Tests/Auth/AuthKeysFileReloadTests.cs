using System.Diagnostics;
using System.Net;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Auth;

/// <summary>The keys file is read again when it changes, without a restart: a key added works within seconds, and a key removed stops, its sessions too.</summary>
[Collection(AuthGatewayCollection.Name)]
public sealed class AuthKeysFileReloadTests(AuthGatewayFixture fixture)
{
    [Fact]
    public async Task KeysFile_AKeyAddedWorksWithinSeconds_AndOnceRemovedStops_WithItsSession()
    {
        var withLate = new Dictionary<string, (string[] Scopes, string[] Models)>(AuthGatewayFixture.FileKeys) { ["late"] = (["infer", "metrics"], ["simple"]) };
        fixture.WriteKeysFile(withLate);
        try
        {
            var added = await WithinAsync(HttpStatusCode.OK);
            Assert.True(added < TimeSpan.FromSeconds(5), $"the added key took {added} to work");
            using var signIn = await AuthMetricsPortTests.SignInAsync(fixture, "late", "/");
            var session = signIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
            using (var page = await AuthMetricsPortTests.GetAsync(fixture, "/api/overview", session))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            }

            fixture.WriteKeysFile(AuthGatewayFixture.FileKeys);
            var removed = await WithinAsync(HttpStatusCode.Unauthorized);
            Assert.True(removed < TimeSpan.FromSeconds(5), $"the removed key took {removed} to stop");
            using var afterRemoval = await AuthMetricsPortTests.GetAsync(fixture, "/api/overview", session);
            Assert.Equal(HttpStatusCode.Unauthorized, afterRemoval.StatusCode);
        }
        finally
        {
            fixture.WriteKeysFile(AuthGatewayFixture.FileKeys);
        }
    }

    [Fact]
    public async Task KeysFile_RewrittenInvalid_KeepsTheKeysInForce()
    {
        File.WriteAllText(fixture.KeysFile, """{"keys": [{"name": "x", "sha256": "not-hex", "scopes": ["infer"], "models": ["*"]}]}""");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            using var response = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, "/v2/models/simple", fixture.Key("simple-only")));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(fixture.Logs.Entries, e => e.Contains("was not taken", StringComparison.Ordinal) && e.Contains("sha256sum", StringComparison.Ordinal));
        }
        finally
        {
            fixture.WriteKeysFile(AuthGatewayFixture.FileKeys);
        }
    }

    // How long until the 'late' key gets `status` on an inference route (10 s at most).
    private async Task<TimeSpan> WithinAsync(HttpStatusCode status)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            using var response = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, "/v2/models/simple", fixture.Key("late")));
            if (response.StatusCode == status || watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Equal(status, response.StatusCode);
                return watch.Elapsed;
            }

            await Task.Delay(50);
        }
    }
}
