using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Rest;

/// <summary>Weighted version splits, stickiness, mirroring, run-time weights and the canary analysis, over REST.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TrafficTests(GatewayFixture fixture)
{
    private const string Body = """{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","data":[1,1,1,1]}]}""";

    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Split_80_20_SharesWithinBoundsAndEveryAnswerNamesItsVersion()
    {
        var counts = await CountVersionsAsync("split_shares", 2000, user: null);

        // 1600 expected for version 1; sigma = sqrt(2000 * 0.8 * 0.2) ≈ 17.9, so 5 sigma is about 90.
        Assert.InRange(counts.GetValueOrDefault("1"), 1510, 1690);
        Assert.Equal(2000, counts.GetValueOrDefault("1") + counts.GetValueOrDefault("2"));

        // The metrics port shows the weights this gateway routes by.
        var metrics = (await new HttpClient().GetStringAsync($"http://127.0.0.1:{fixture.MetricsPort}/metrics")).Split('\n');
        Assert.Contains("grainserve_version_weight{model=\"split_shares\",version=\"1\",silo=\"rest-test\"} 80", metrics);
        Assert.Contains("grainserve_version_weight{model=\"split_shares\",version=\"2\",silo=\"rest-test\"} 20", metrics);
    }

    [Fact]
    public async Task StickyHeader_SameUserAlwaysSameVersion_UsersSplitByWeight()
    {
        var perUser = new Dictionary<string, string>();
        for (var user = 0; user < 400; user++)
        {
            var seen = await CountVersionsAsync("split_shares", 3, $"user-{user}");
            perUser[$"user-{user}"] = Assert.Single(seen).Key;
        }

        // 320 of 400 users expected on version 1; sigma = 8, 5 sigma = 40.
        Assert.InRange(perUser.Values.Count(v => v == "1"), 280, 360);
    }

    [Fact]
    public async Task PinnedRequest_IgnoresWeights()
    {
        for (var i = 0; i < 20; i++)
        {
            using var response = await PostAsync("/v2/models/split_put/versions/2/infer", Body, user: null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("2", Assert.Single(response.Headers.GetValues("x-model-version")));
        }
    }

    [Fact]
    public async Task PutTraffic_UnderLoad_MovesTrafficWithNoFailedRequest_AndGetShowsIt()
    {
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var load = Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await PostAsync("/v2/models/split_put/infer", Body, user: null);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }).ToArray();

        await Task.Delay(300);
        var (status, put) = await SendAsync(HttpMethod.Put, "/v2/models/split_put/traffic", """{"weights": {"1": 0, "2": 100}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Equal(0, failures);
        Assert.Equal("runtime", put["source"]!.GetValue<string>());
        Assert.Equal(100, put["weights"]!["2"]!.GetValue<int>());

        // The gateway that took the PUT routes by it at once.
        var after = await CountVersionsAsync("split_put", 50, user: null);
        Assert.Equal(50, after.GetValueOrDefault("2"));

        await Task.Delay(1200);
        var (_, traffic) = await SendAsync(HttpMethod.Get, "/v2/models/split_put/traffic");
        var versions = traffic["versions"]!.AsArray().ToDictionary(v => v!["version"]!.GetValue<string>());
        Assert.True(versions["1"]!["requests"]!.GetValue<long>() > 0);
        Assert.True(versions["2"]!["requests"]!.GetValue<long>() >= 50);
        Assert.Equal(0, versions["2"]!["errors"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("""{"weights": {"1": -1, "2": 5}}""", "negative")]
    [InlineData("""{"weights": {"1": 0, "2": 0}}""", "above 0")]
    [InlineData("""{"weights": {"7": 100}}""", "no version 7")]
    [InlineData("""{"weights": {"1": 1.5}}""", "whole number")]
    [InlineData("""{"weights": {}}""", "above 0")]
    [InlineData("""{"weight": {"1": 100}}""", "unknown field")]
    [InlineData("""{"weights": [1, 2]}""", "must be an object")]
    [InlineData("""not json""", "not valid JSON")]
    public async Task PutTraffic_BadWeights_400WithReason(string body, string reason)
    {
        var (status, error) = await SendAsync(HttpMethod.Put, "/v2/models/split_shares/traffic", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, error["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Traffic_UnknownModel_404()
    {
        var (status, _) = await SendAsync(HttpMethod.Get, "/v2/models/no_such_model/traffic");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Mirror_ClientsNeverSeeTheMirror_AndItIsCountedApart()
    {
        var counts = await CountVersionsAsync("split_mirror", 200, user: null);
        Assert.Equal(200, counts.GetValueOrDefault("1"));

        // Reports reach the model grain twice a second.
        await Task.Delay(1200);
        var (_, traffic) = await SendAsync(HttpMethod.Get, "/v2/models/split_mirror/traffic");
        var versions = traffic["versions"]!.AsArray().ToDictionary(v => v!["version"]!.GetValue<string>());
        var mirrored = versions["2"]!["mirrored"]!.GetValue<long>();

        // Half of 200 expected; sigma about 7.
        Assert.InRange(mirrored, 60, 140);
        Assert.Equal(0, versions["2"]!["requests"]!.GetValue<long>());
        Assert.Equal(200, versions["1"]!["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task AutoRollback_FailingCanary_GoesToWeightZeroWithItsReason()
    {
        // Half the traffic goes to a version that fails every run, until the analysis (min 20 requests) rolls it back.
        var rolledBack = false;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!rolledBack && DateTime.UtcNow < deadline)
        {
            await CountVersionsAsync("split_rollback", 20, user: null, expectOk: false);
            await Task.Delay(200);
            var (_, traffic) = await SendAsync(HttpMethod.Get, "/v2/models/split_rollback/traffic");
            rolledBack = traffic["weights"]!["2"]!.GetValue<int>() == 0;
            if (rolledBack)
            {
                var canary = traffic["versions"]!.AsArray().Single(v => v!["version"]!.GetValue<string>() == "2")!;
                Assert.Contains("error rate", canary["rolled_back"]!.GetValue<string>());
                Assert.Equal(100, traffic["weights"]!["1"]!.GetValue<int>());
            }
        }

        Assert.True(rolledBack, "the failing canary was not rolled back within 20 s");

        // Once the gateway has the new table, every request is answered by the baseline.
        await Task.Delay(700);
        var after = await CountVersionsAsync("split_rollback", 40, user: null);
        Assert.Equal(40, after.GetValueOrDefault("1"));
    }

    [Fact]
    public async Task Step_HealthyCanary_IsPromotedStepByStep()
    {
        // 90/10 with steps of 20 points a second while the canary is healthy: 30, 50, 70, 90, 100.
        var weights = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && weights.LastOrDefault() < 50)
        {
            await CountVersionsAsync("split_step", 30, user: null);
            var (_, traffic) = await SendAsync(HttpMethod.Get, "/v2/models/split_step/traffic");
            var canary = traffic["weights"]!["2"]!.GetValue<int>();
            Assert.Equal(100, canary + traffic["weights"]!["1"]!.GetValue<int>());
            if (weights.Count == 0 || weights[^1] != canary)
            {
                weights.Add(canary);
            }
        }

        // Each step moved exactly 20 points, never back, and nothing was rolled back.
        Assert.True(weights.Last() >= 50, $"the canary went {string.Join(" → ", weights)} in 20 s");
        Assert.All(weights.Zip(weights.Skip(1)), p => Assert.Equal(0, (p.Second - p.First) % 20));
        Assert.Equal(weights.Order(), weights);
    }

    private async Task<Dictionary<string, int>> CountVersionsAsync(string model, int requests, string? user, bool expectOk = true)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            using var response = await PostAsync($"/v2/models/{model}/infer", Body, user);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Assert.False(expectOk, $"request {i} to {model}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                continue;
            }

            var version = Assert.Single(response.Headers.GetValues("x-model-version"));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(version, body["model_version"]!.GetValue<string>());

            // Version 1 doubles, version 2 triples: the answer really comes from the version named.
            Assert.Equal(version == "1" ? 2f : 3f, body["outputs"]![0]!["data"]![0]!.GetValue<float>());
            counts[version] = counts.GetValueOrDefault(version) + 1;
        }

        return counts;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? user)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (user is not null)
        {
            request.Headers.Add("x-user-id", user);
        }

        return await Http.SendAsync(request);
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
