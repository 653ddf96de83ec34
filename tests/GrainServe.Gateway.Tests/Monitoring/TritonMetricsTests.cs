using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Monitoring;

/// <summary>
/// The metrics port's Triton families count exactly what the test sent (deltas over a model no other test uses), agree
/// with the statistics extension, carry the silo label, and leave out the runtime's noise.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TritonMetricsTests(GatewayFixture fixture)
{
    private const string Model = "triton_metrics";
    private const string Labels = "model=\"triton_metrics\",version=\"1\",silo=\"rest-test\"";

    [Fact]
    public async Task RequestCounters_CountEachRequestRowBatchAndFailureReason()
    {
        var before = await ScrapeAsync();
        for (var i = 0; i < 3; i++)
        {
            // Three requests of two rows each, one at a time: three executions, six inferences.
            Assert.Equal(HttpStatusCode.OK, await InferAsync("""{"inputs":[{"name":"INPUT0","shape":[2,2],"datatype":"FP32","data":[1,2,3,4]}]}"""));
        }

        // Two requests the model refuses (a wrong shape): Triton's OTHER.
        Assert.Equal(HttpStatusCode.BadRequest, await InferAsync("""{"inputs":[{"name":"INPUT0","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await InferAsync("""{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"INT32","data":[1,2]}]}"""));
        var after = await ScrapeAsync();

        Assert.Equal(3, Delta(before, after, "nv_inference_request_success", Labels));
        Assert.Equal(6, Delta(before, after, "nv_inference_count", Labels));
        Assert.Equal(3, Delta(before, after, "nv_inference_exec_count", Labels));
        Assert.Equal(2, Delta(before, after, "nv_inference_request_failure", Labels + ",reason=\"OTHER\""));
        Assert.Equal(0, Delta(before, after, "nv_inference_request_failure", Labels + ",reason=\"REJECTED\""));
        Assert.Equal(0, Delta(before, after, "nv_inference_request_failure", Labels + ",reason=\"CANCELED\""));
        Assert.Equal(0, Delta(before, after, "nv_inference_request_failure", Labels + ",reason=\"BACKEND\""));
        Assert.Equal(0, Value(after, "nv_inference_pending_request_count", Labels));

        // Durations are cumulative microseconds; a request's whole time covers its queue wait and its compute.
        var request = Delta(before, after, "nv_inference_request_duration_us", Labels);
        var parts = Delta(before, after, "nv_inference_queue_duration_us", Labels) + Delta(before, after, "nv_inference_compute_input_duration_us", Labels)
            + Delta(before, after, "nv_inference_compute_infer_duration_us", Labels) + Delta(before, after, "nv_inference_compute_output_duration_us", Labels);
        Assert.True(request > 0 && parts <= request + 3, $"request {request} µs, queue + compute {parts} µs");
        Assert.True(Delta(before, after, "grainserve_device_busy_seconds_total", $"model=\"{Model}\",version=\"1\",device=\"rest-test/cpu0\",silo=\"rest-test\"") > 0);
        Assert.Equal(1, Value(after, "grainserve_instances", $"model=\"{Model}\",version=\"1\",device=\"rest-test/cpu0\",silo=\"rest-test\""));
    }

    [Fact]
    public async Task RequestCounters_EqualTheStatisticsExtension()
    {
        Assert.Equal(HttpStatusCode.OK, await InferAsync("""{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"FP32","data":[1,2]}]}"""));
        var text = await ScrapeAsync();
        var stats = JsonNode.Parse(await fixture.Http.GetStringAsync($"/v2/models/{Model}/versions/1/stats"))!["model_stats"]![0]!;

        Assert.Equal(stats["inference_stats"]!["success"]!["count"]!.GetValue<double>(), Value(text, "nv_inference_request_success", Labels));
        Assert.Equal(stats["inference_stats"]!["fail"]!["count"]!.GetValue<double>(), Sum(text, "nv_inference_request_failure", Labels));
        Assert.Equal(stats["inference_count"]!.GetValue<double>(), Value(text, "nv_inference_count", Labels));
        Assert.Equal(stats["execution_count"]!.GetValue<double>(), Value(text, "nv_inference_exec_count", Labels));
        Assert.Equal(Math.Floor(stats["inference_stats"]!["queue"]!["ns"]!.GetValue<double>() / 1000), Value(text, "nv_inference_queue_duration_us", Labels));
    }

    [Fact]
    public async Task FirstResponseHistogram_CountsEachStreamedGeneration()
    {
        const string Llama = "model=\"tiny_llama\",version=\"1\",silo=\"rest-test\"";
        var before = await ScrapeAsync();
        for (var i = 0; i < 2; i++)
        {
            using var response = await fixture.Http.PostAsync("/v2/models/tiny_llama/generate_stream", new StringContent("""{"text_input":"A river","parameters":{"max_tokens":3,"temperature":0}}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync();
        }

        var after = await ScrapeAsync();

        Assert.Equal(2, Delta(before, after, "nv_inference_first_response_histogram_ms_count", Llama));
        Assert.Equal(2, Delta(before, after, "nv_inference_first_response_histogram_ms_bucket", Llama + ",le=\"+Inf\""));
        Assert.Equal(2, Delta(before, after, "nv_inference_request_success", Llama));

        // A classic model streams nothing, so it has no first-response series (as Triton writes it for decoupled models only).
        Assert.DoesNotContain("nv_inference_first_response_histogram_ms_count{" + Labels, after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_LabelsEverySeriesWithItsSilo_AndLeavesOutTheRuntimesNoise()
    {
        var text = await ScrapeAsync();
        var samples = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.DoesNotContain(samples, l => l.StartsWith("private_internaldiagnostics", StringComparison.Ordinal));
        Assert.DoesNotContain(samples, l => l.StartsWith("prometheus_net_eventcounteradapter", StringComparison.Ordinal));
        // The hand-written families name this silo; the registry's series carry the static label of the first host this
        // test process built (outside tests a process is one silo).
        Assert.All(samples.Where(l => l.StartsWith("nv_", StringComparison.Ordinal) || l.StartsWith("vllm:", StringComparison.Ordinal) || l.StartsWith("grainserve_device_busy", StringComparison.Ordinal) || l.StartsWith("grainserve_device_memory", StringComparison.Ordinal) || l.StartsWith("grainserve_instances", StringComparison.Ordinal)),
            l => Assert.Contains("silo=\"rest-test\"", l, StringComparison.Ordinal));
        Assert.All(samples.Where(l => l.StartsWith("grainserve_", StringComparison.Ordinal)), l => Assert.Contains("silo=\"", l, StringComparison.Ordinal));
        Assert.Contains(samples, l => l.StartsWith("process_cpu_seconds_total", StringComparison.Ordinal));
        Assert.Contains(samples, l => l.StartsWith("system_runtime_dotnet_gc_collections", StringComparison.Ordinal));
        Assert.Contains(samples, l => l.StartsWith("microsoft_orleans_", StringComparison.Ordinal));

        // The machine's figures, in Triton's units.
        var cpu = Value(text, "nv_cpu_utilization", "silo=\"rest-test\"");
        Assert.InRange(cpu, 0, 1);
        Assert.True(Value(text, "nv_cpu_memory_total_bytes", "silo=\"rest-test\"") > Value(text, "nv_cpu_memory_used_bytes", "silo=\"rest-test\""));
        Assert.True(Value(text, "grainserve_device_memory_budget_bytes", "device=\"rest-test/cpu0\",silo=\"rest-test\"") > 0);
    }

    private async Task<HttpStatusCode> InferAsync(string body)
    {
        using var response = await fixture.Http.PostAsync($"/v2/models/{Model}/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    private Task<string> ScrapeAsync() => new HttpClient().GetStringAsync($"http://127.0.0.1:{fixture.MetricsPort}/metrics");

    private static double Delta(string before, string after, string family, string labels) => Value(after, family, labels) - Value(before, family, labels, missing: 0);

    private static double Value(string text, string family, string labels, double? missing = null)
    {
        var prefix = $"{family}{{{labels}}} ";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is not null ? double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture)
            : missing ?? throw new Xunit.Sdk.XunitException($"no series {prefix.TrimEnd()} in the scrape");
    }

    private static double Sum(string text, string family, string labels) =>
        text.Split('\n').Where(l => l.StartsWith($"{family}{{{labels},", StringComparison.Ordinal)).Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
