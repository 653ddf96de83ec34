using System.Runtime.CompilerServices;
using System.Text;
using GrainServe.Batching;
using GrainServe.Contracts;
using GrainServe.Generation;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Monitoring;

public sealed class InferenceMetricsTests
{
    private const string Labels = "model=\"m\",version=\"1\",silo=\"s\"";

    [Fact]
    public void Write_GivesTritonsFamiliesFromTheInstancesStatistics()
    {
        var metrics = new InferenceMetrics(Options.Create(new MetricsOptions()), new FakeTimeProvider());
        var instance = new FakeScheduler { Waiting = 2 };
        metrics.Register("m", "1", "s/cpu0", instance);

        // One batch of two requests and five rows; input 1 ms, infer 4 ms, output 1 ms; then three failures.
        instance.Statistics.RecordBatch(5, Ms(1), Ms(4), Ms(1), [new RequestTiming(Ms(2), Ms(8)), new RequestTiming(Ms(3), Ms(9))], DateTimeOffset.UnixEpoch);
        instance.Statistics.RecordFailures(1, Ms(1), FailureReason.Rejected);
        instance.Statistics.RecordFailures(2, Ms(1), FailureReason.Other);
        var text = Write(metrics);

        Assert.Contains($"nv_inference_request_success{{{Labels}}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_request_failure{{{Labels},reason=\"REJECTED\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_request_failure{{{Labels},reason=\"CANCELED\"}} 0\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_request_failure{{{Labels},reason=\"OTHER\"}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_count{{{Labels}}} 5\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_exec_count{{{Labels}}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_request_duration_us{{{Labels}}} 17000\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_queue_duration_us{{{Labels}}} 5000\n", text, StringComparison.Ordinal);

        // Each request of a batch is charged the batch's compute, as in Triton and the statistics extension.
        Assert.Contains($"nv_inference_compute_infer_duration_us{{{Labels}}} 8000\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_pending_request_count{{{Labels}}} 2\n", text, StringComparison.Ordinal);

        // The device ran one batch of 6 ms, whatever the number of requests in it.
        Assert.Contains("grainserve_device_busy_seconds_total{model=\"m\",version=\"1\",device=\"s/cpu0\",silo=\"s\"} 0.006\n", text, StringComparison.Ordinal);
        Assert.Contains("grainserve_instances{model=\"m\",version=\"1\",device=\"s/cpu0\",silo=\"s\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("summary_us", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nv_inference_first_response_histogram_ms", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Counters_KeepWhatUnloadedInstancesCounted()
    {
        var metrics = new InferenceMetrics(Options.Create(new MetricsOptions()), new FakeTimeProvider());
        var first = new FakeScheduler();
        var registration = metrics.Register("m", "1", "s/cpu0", first);
        first.Statistics.RecordBatch(1, Ms(1), Ms(1), Ms(1), [new RequestTiming(Ms(0), Ms(3))], DateTimeOffset.UnixEpoch);
        registration.Dispose();
        var second = new FakeScheduler();
        metrics.Register("m", "1", "s/cpu0", second);
        second.Statistics.RecordBatch(1, Ms(1), Ms(1), Ms(1), [new RequestTiming(Ms(0), Ms(3))], DateTimeOffset.UnixEpoch);
        var text = Write(metrics);

        Assert.Contains($"nv_inference_request_success{{{Labels}}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("grainserve_device_busy_seconds_total{model=\"m\",version=\"1\",device=\"s/cpu0\",silo=\"s\"} 0.006\n", text, StringComparison.Ordinal);
        Assert.Contains("grainserve_instances{model=\"m\",version=\"1\",device=\"s/cpu0\",silo=\"s\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Summaries_WhenOn_GiveEachPhasesQuantilesInMicroseconds()
    {
        var metrics = new InferenceMetrics(Options.Create(new MetricsOptions { SummaryLatencies = true, SummaryQuantiles = "0.5:0.05" }), new FakeTimeProvider());
        var instance = new FakeScheduler();
        metrics.Register("m", "1", "s/cpu0", instance);
        instance.Statistics.RecordBatch(2, Ms(1), Ms(4), Ms(1), [new RequestTiming(Ms(2), Ms(8)), new RequestTiming(Ms(3), Ms(9))], DateTimeOffset.UnixEpoch);
        var text = Write(metrics);

        Assert.Contains("# TYPE nv_inference_request_summary_us summary\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_request_summary_us{{{Labels},quantile=\"0.5\"}} 8000\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_request_summary_us_count{{{Labels}}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_queue_summary_us{{{Labels},quantile=\"0.5\"}} 2000\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_compute_infer_summary_us_sum{{{Labels}}} 8000\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FirstResponseHistogram_AppearsOnceAStreamedRequestAnswered_InTritonsDefaultBuckets()
    {
        var metrics = new InferenceMetrics(Options.Create(new MetricsOptions()), new FakeTimeProvider());
        var instance = new FakeScheduler();
        metrics.Register("m", "1", "s/cpu0", instance);
        instance.Statistics.RecordFirstResponse(Ms(300));
        instance.Statistics.RecordFirstResponse(Ms(50));
        var text = Write(metrics);

        Assert.Contains($"nv_inference_first_response_histogram_ms_bucket{{{Labels},le=\"100\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_first_response_histogram_ms_bucket{{{Labels},le=\"500\"}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_first_response_histogram_ms_bucket{{{Labels},le=\"5000\"}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_inference_first_response_histogram_ms_sum{{{Labels}}} 350\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void BusyTime_OfASchedulerThatSharesSteps_ComesFromItsSource()
    {
        var metrics = new InferenceMetrics(Options.Create(new MetricsOptions()), new FakeTimeProvider());
        var instance = new FakeScheduler();
        instance.Statistics.BusyTimeSource = () => Ms(250);
        metrics.Register("m", "1", "s/gpu0", instance);

        // Two overlapping requests of 1 s each ran on steps that took 250 ms of the device in all.
        instance.Statistics.RecordBatch(1, TimeSpan.Zero, Ms(1000), TimeSpan.Zero, [new RequestTiming(TimeSpan.Zero, Ms(1000))], DateTimeOffset.UnixEpoch);
        instance.Statistics.RecordBatch(1, TimeSpan.Zero, Ms(1000), TimeSpan.Zero, [new RequestTiming(TimeSpan.Zero, Ms(1000))], DateTimeOffset.UnixEpoch);

        Assert.Contains("grainserve_device_busy_seconds_total{model=\"m\",version=\"1\",device=\"s/gpu0\",silo=\"s\"} 0.25\n", Write(metrics), StringComparison.Ordinal);
    }

    [Fact]
    public void DeviceMemory_IsTheBudgetAccounting()
    {
        var metrics = new InferenceMetrics(Options.Create(new MetricsOptions()), new FakeTimeProvider());
        metrics.ReportDevice("s/gpu0", 3L << 30, 70L << 30);
        var text = Write(metrics);

        Assert.Contains($"grainserve_device_memory_budget_bytes{{device=\"s/gpu0\",silo=\"s\"}} {70L << 30}\n", text, StringComparison.Ordinal);
        Assert.Contains($"grainserve_device_memory_used_bytes{{device=\"s/gpu0\",silo=\"s\"}} {3L << 30}\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.5:0.05,0.99:0.001", true)]
    [InlineData("0.9", true)]
    [InlineData("1.5:0.01", false)]
    [InlineData("median", false)]
    [InlineData("0.5:2", false)]
    public void Validator_ChecksTritonsQuantileSyntax(string quantiles, bool valid) =>
        Assert.Equal(valid, new MetricsOptionsValidator().Validate(null, new MetricsOptions { SummaryQuantiles = quantiles }).Succeeded);

    [Fact]
    public void Validator_RefusesBucketsThatDoNotIncrease() =>
        Assert.False(new MetricsOptionsValidator().Validate(null, new MetricsOptions { FirstResponseBucketsMs = [100, 50] }).Succeeded);

    private static string Write(InferenceMetrics metrics)
    {
        var text = new StringBuilder();
        metrics.Write(text, "s");
        return text.ToString();
    }

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    private sealed class FakeScheduler : IInstanceScheduler
    {
        public ModelConfig Config { get; } = new() { Name = "m" };

        public int Pending => Waiting;

        public int Waiting { get; init; }

        public InstanceStatistics Statistics { get; } = new("m", "1");

        public Task<InferenceResult> Infer(InferenceRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async IAsyncEnumerable<GenerateChunk> Generate(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
