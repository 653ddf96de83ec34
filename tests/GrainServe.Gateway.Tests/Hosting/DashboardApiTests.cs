using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Hosting;

/// <summary>
/// The Orleans dashboard on the metrics port fills under load, read through the JSON API its page polls: grain method
/// counters (profiled once the dashboard has been asked for something), activations, and the silo's Orleans meters.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class DashboardApiTests(GatewayFixture fixture) : IDisposable
{
    private const string Simple = """{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""";

    private readonly HttpClient _metrics = new() { BaseAddress = fixture.MetricsAddress };

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task Dashboard_AfterRequests_ShowsTheGpuGrainsCallsAndTheSilosCounters()
    {
        // The dashboard profiles grain calls only while someone watches: the first query switches it on, on every silo.
        await GetJsonAsync("dashboard/DashboardCounters");

        // This gateway hosts its device, so inference runs on the instance without a GPU grain call (LocalInstances);
        // listing the model's instances still asks the GPU grain, and that is the call the dashboard must show.
        long calls = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (calls == 0 && DateTime.UtcNow < deadline)
        {
            for (var i = 0; i < 3; i++)
            {
                using var response = await fixture.Http.PostAsync("/v2/models/simple/infer", new StringContent(Simple, Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                using var instances = await fixture.Http.GetAsync("/v2/models/simple/instances");
                Assert.Equal(HttpStatusCode.OK, instances.StatusCode);
            }

            // Silos hand their traces to the dashboard once a second.
            await Task.Delay(500);
            var stats = await GetJsonAsync("dashboard/GrainStats/GrainServe.Gpu.GpuGrain");
            calls = stats["GrainServe.Gpu.GpuGrain.GetInstances"]?.AsObject().Sum(period => period.Value!["count"]!.GetValue<long>()) ?? 0;
        }

        Assert.True(calls > 0, "the dashboard showed no IGpuGrain.GetInstances call within 30 s of requests");

        // The dashboard grain recalculates its summary on its own period, which may lag the per-method statistics above.
        JsonNode counters;
        JsonArray grains;
        deadline = DateTime.UtcNow.AddSeconds(15);
        do
        {
            counters = await GetJsonAsync("dashboard/DashboardCounters");
            grains = counters["simpleGrainStats"]!.AsArray();
        }
        while (!grains.Any(IsCalledGpuGrain) && DateTime.UtcNow < deadline && await Delay());

        Assert.True(counters["totalActivationCount"]!.GetValue<int>() > 0);
        Assert.Contains(grains, IsCalledGpuGrain);
        Assert.Contains(grains, g => g!["grainType"]!.GetValue<string>() == "GrainServe.Models.ModelGrain" && g["activationCount"]!.GetValue<int>() > 0);

        // The silo's counters come from Orleans' meter, exported to the dashboard once a second: none would mean the dashboard
        // listens to another meter name than the one Orleans 10 records on.
        var silo = counters["hosts"]![0]!["siloAddress"]!.GetValue<string>();
        double activations = 0;
        for (deadline = DateTime.UtcNow.AddSeconds(10); activations == 0 && DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            var siloCounters = (await GetJsonAsync($"dashboard/SiloCounters/{silo}")).AsArray();
            activations = siloCounters.FirstOrDefault(c => c!["name"]!.GetValue<string>() == "orleans-catalog-activations") is { } counter
                ? double.Parse(counter["value"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
                : 0;
        }

        Assert.True(activations > 0, "the dashboard's silo counters showed no orleans-catalog-activations within 10 s");
    }

    private static bool IsCalledGpuGrain(JsonNode? g) => g!["grainType"]!.GetValue<string>() == "GrainServe.Gpu.GpuGrain" && g["totalCalls"]!.GetValue<long>() > 0;

    private static async Task<bool> Delay()
    {
        await Task.Delay(250);
        return true;
    }

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await _metrics.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
