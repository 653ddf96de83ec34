using System.Net;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;
using Grpc.Core;

namespace GrainServe.Gateway.Auth;

/// <summary>Keys never appear in logs, traces or errors: only their names do.</summary>
[Collection(AuthGatewayCollection.Name)]
public sealed class AuthSecrecyTests(AuthGatewayFixture fixture)
{
    [Fact]
    public async Task RejectedAndAcceptedRequests_LogAndTraceTheKeysNameNeverTheKey()
    {
        var unknown = "gsk-unknown-" + Guid.NewGuid().ToString("N");
        var known = fixture.Key("simple-only");
        var before = fixture.Logs.Entries.Count;

        using (var rejected = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Post, "/v2/models/simple/infer", unknown, AuthRestTests.SimpleInfer)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
            Assert.DoesNotContain(unknown, await rejected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var forbidden = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Post, "/v2/models/add_sub/infer", known, "{}")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.DoesNotContain(known, await forbidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var accepted = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Post, "/v2/models/simple/infer", known, AuthRestTests.SimpleInfer)))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        var grpcError = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Grpc.ModelReadyAsync(new ModelReadyRequest { Name = "simple" }, new Metadata { { "authorization", $"Bearer {unknown}" } }));
        Assert.DoesNotContain(unknown, grpcError.Status.Detail, StringComparison.Ordinal);
        Assert.True((await fixture.Grpc.ModelReadyAsync(new ModelReadyRequest { Name = "simple" }, fixture.Bearer("simple-only"))).Ready);
        using (var signIn = await AuthMetricsPortTests.SignInAsync(fixture, "watcher", "/"))
        {
            Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        }

        // The console logger writes on its own thread; this capture is synchronous, but give the hosting's last lines a moment.
        await Task.Delay(200);
        fixture.Flush();
        var logs = fixture.Logs.Entries.Skip(before).ToList();
        Assert.Contains(logs, e => e.Contains("Request starting", StringComparison.Ordinal) && e.Contains("/v2/models/simple/infer", StringComparison.Ordinal));
        Assert.Contains(logs, e => e.Contains("refused: the API key is not known", StringComparison.Ordinal));
        Assert.Contains(logs, e => e.Contains("of key simple-only refused", StringComparison.Ordinal));
        Assert.Contains(logs, e => e.Contains("session started for key watcher", StringComparison.Ordinal));
        var secrets = new[] { unknown, known, fixture.Key("watcher") };
        Assert.DoesNotContain(logs, e => secrets.Any(s => e.Contains(s, StringComparison.Ordinal)));

        var spans = fixture.Spans.Snapshot();
        Assert.Contains(spans, s => s.DisplayName.Contains("/v2/models/{model}/infer", StringComparison.Ordinal));
        var recorded = spans.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}")
            .Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"{t.Key}={t.Value}")))
            .Append(s.DisplayName).Append(s.StatusDescription ?? ""));
        Assert.DoesNotContain(recorded, r => secrets.Any(s => r.Contains(s, StringComparison.Ordinal)));
    }
}
