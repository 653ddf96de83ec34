using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace GrainServe;

/// <summary>Traffic weights set at run time live in the cluster's grain storage (Redis), not in any process.</summary>
[Trait("Category", "MultiProcess")]
[Collection(MultiProcessCollection.Name)]
public sealed class TrafficRestartTests(ITestOutputHelper output)
{
    private const int Requests = 400;

    [Fact]
    public async Task RuntimeTrafficWeights_WholeClusterRestart_AreKeptAndSplitRequests()
    {
        await RedisServer.EnsureRunningAsync();
        await using var cluster = new ClusterProcesses();
        // Versions 1 and 2, 80/20 in its config.json: the runtime weights below must win over them after the restart.
        cluster.AddSampleModel("scale_canary");
        await StartAsync(cluster);
        using (var set = await cluster.Http.PutAsync(Traffic(cluster), new StringContent("""{"weights": {"1": 30, "2": 70}}""", Encoding.UTF8, "application/json")))
        {
            Assert.True(set.StatusCode == HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        }

        await cluster.StopAllAsync(TimeSpan.FromSeconds(40));
        await StartAsync(cluster);

        var traffic = JsonNode.Parse(await cluster.Http.GetStringAsync(Traffic(cluster)))!;
        output.WriteLine($"after the restart: {traffic.ToJsonString()}");
        Assert.Equal("runtime", traffic["source"]!.GetValue<string>());
        Assert.Equal(30, traffic["weights"]!["1"]!.GetValue<int>());
        Assert.Equal(70, traffic["weights"]!["2"]!.GetValue<int>());

        using var clients = new SemaphoreSlim(16);
        var versions = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            await clients.WaitAsync();
            try
            {
                return await InferAsync(cluster);
            }
            finally
            {
                clients.Release();
            }
        }));

        var counts = versions.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}")));
        Assert.True(counts.Keys.All(k => k is "1" or "2"), string.Join("; ", counts.Keys));
        // Binomial: 400 requests at 30 % have a standard deviation of about 9, so 5 sigma is about 46 requests.
        var sigma = Math.Sqrt(Requests * 0.3 * 0.7);
        Assert.InRange(counts.GetValueOrDefault("1"), (Requests * 0.3) - (5 * sigma), (Requests * 0.3) + (5 * sigma));
    }

    private static async Task StartAsync(ClusterProcesses cluster)
    {
        cluster.StartGateway();
        cluster.StartNode("node-1");
        await cluster.WaitForDevicesAsync(1);
    }

    private static Uri Traffic(ClusterProcesses cluster) => new(cluster.BaseAddress, "/v2/models/scale_canary/traffic");

    // The version that answered, from x-model-version, or the status and body of a failure.
    private static async Task<string> InferAsync(ClusterProcesses cluster)
    {
        const string body = """{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""";
        using var response = await cluster.Http.PostAsync(new Uri(cluster.BaseAddress, "/v2/models/scale_canary/infer"), new StringContent(body, Encoding.UTF8, "application/json"));
        return response.StatusCode == HttpStatusCode.OK && response.Headers.TryGetValues("x-model-version", out var version)
            ? version.Single()
            : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }
}
