using System.Collections.Concurrent;
using System.Text;
using GrainServe.Batching;
using GrainServe.Runtime;
using Microsoft.Extensions.Options;

namespace GrainServe.Monitoring;

/// <summary>
/// This silo's inference figures under Triton's metric names and meanings (<c>nv_inference_*</c>, labels <c>model</c>
/// and <c>version</c>), plus GrainServe's own per-device figures. The GPU grains register each instance they load;
/// counters read the instances' statistics at scrape time (the same numbers as the statistics extension) and keep
/// what unloaded instances counted. Each series also carries a <c>silo</c> label, so scraping every pod gives the
/// fleet and summing over <c>silo</c> gives the cluster.
/// </summary>
public sealed class InferenceMetrics
{
    private readonly MetricsOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Model, string Version), VersionSeries> _versions = new();
    private readonly ConcurrentDictionary<string, (long Used, long Budget)> _devices = new(StringComparer.Ordinal);

    /// <summary>Creates the silo's registry.</summary>
    public InferenceMetrics(IOptions<MetricsOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
    }

    /// <summary>Starts counting a loaded instance; dispose the registration when it unloads.</summary>
    public InstanceRegistration Register(string model, string version, string deviceKey, IInstanceScheduler scheduler) =>
        _versions.GetOrAdd((model, version), key => new VersionSeries(key.Model, key.Version, _options, _time)).Add(deviceKey, scheduler);

    /// <summary>A device's memory accounting changed (a load, an unload): what its instances are charged, of its budget.</summary>
    public void ReportDevice(string deviceKey, long usedBytes, long budgetBytes) => _devices[deviceKey] = (usedBytes, budgetBytes);

    /// <summary>Writes every family in the Prometheus text format, each series labelled <c>silo="<paramref name="silo"/>"</c>.</summary>
    public void Write(StringBuilder text, string silo)
    {
        var siloLabel = PrometheusText.Label("silo", silo);
        var versions = _versions.Values.OrderBy(v => v.Model, StringComparer.Ordinal).ThenBy(v => v.Version, StringComparer.Ordinal)
            .Select(v => (Series: v, Reading: v.Read(), Labels: $"{PrometheusText.Label("model", v.Model)},{PrometheusText.Label("version", v.Version)},{siloLabel}"))
            .ToList();
        if (versions.Count > 0)
        {
            Counter(text, versions, "nv_inference_request_success", "Number of successful inference requests, all batch sizes", t => t.Success);
            PrometheusText.Family(text, "nv_inference_request_failure", "counter", "Number of failed inference requests, all batch sizes");
            foreach (var (_, reading, labels) in versions)
            {
                foreach (var reason in FailureReasons.All)
                {
                    PrometheusText.Sample(text, "nv_inference_request_failure", $"{labels},reason=\"{FailureReasons.Label(reason)}\"", reading.Totals.Failures[(int)reason]);
                }
            }

            Counter(text, versions, "nv_inference_count", "Number of inferences performed (does not include cached requests)", t => t.Inferences);
            Counter(text, versions, "nv_inference_exec_count", "Number of model executions performed (does not include cached requests)", t => t.Executions);
            Counter(text, versions, "nv_inference_request_duration_us", "Cumulative inference request duration in microseconds (includes cached requests)", t => t.RequestNs / 1000);
            Counter(text, versions, "nv_inference_queue_duration_us", "Cumulative inference queuing duration in microseconds (includes cached requests)", t => t.QueueNs / 1000);
            Counter(text, versions, "nv_inference_compute_input_duration_us", "Cumulative compute input duration in microseconds (does not include cached requests)", t => t.InputNs / 1000);
            Counter(text, versions, "nv_inference_compute_infer_duration_us", "Cumulative compute inference duration in microseconds (does not include cached requests)", t => t.InferNs / 1000);
            Counter(text, versions, "nv_inference_compute_output_duration_us", "Cumulative inference compute output duration in microseconds (does not include cached requests)", t => t.OutputNs / 1000);
            PrometheusText.Family(text, "nv_inference_pending_request_count", "gauge", "Instantaneous number of pending requests awaiting execution per-model.");
            foreach (var (_, reading, labels) in versions)
            {
                PrometheusText.Sample(text, "nv_inference_pending_request_count", labels, reading.Waiting);
            }

            WriteSummaries(text, versions);
            WriteFirstResponse(text, versions);
            WriteDeviceShares(text, versions, siloLabel);
        }

        WriteDevices(text, siloLabel);
    }

    private static void Counter(StringBuilder text, List<(VersionSeries Series, VersionSeries.Reading Reading, string Labels)> versions, string name, string help, Func<VersionSeries.Totals, double> value)
    {
        PrometheusText.Family(text, name, "counter", help);
        foreach (var (_, reading, labels) in versions)
        {
            PrometheusText.Sample(text, name, labels, value(reading.Totals));
        }
    }

    private static readonly (string Name, string Help)[] SummaryFamilies =
    [
        ("nv_inference_request_summary_us", "Summary of inference request duration in microseconds (includes cached requests)"),
        ("nv_inference_queue_summary_us", "Summary of inference queuing duration in microseconds (includes cached requests)"),
        ("nv_inference_compute_input_summary_us", "Summary of compute input duration in microseconds (does not include cached requests)"),
        ("nv_inference_compute_infer_summary_us", "Summary of compute inference duration in microseconds (does not include cached requests)"),
        ("nv_inference_compute_output_summary_us", "Summary of compute output duration in microseconds (does not include cached requests)"),
    ];

    private void WriteSummaries(StringBuilder text, List<(VersionSeries Series, VersionSeries.Reading Reading, string Labels)> versions)
    {
        if (!_options.SummaryLatencies)
        {
            return;
        }

        for (var i = 0; i < SummaryFamilies.Length; i++)
        {
            PrometheusText.Family(text, SummaryFamilies[i].Name, "summary", SummaryFamilies[i].Help);
            foreach (var (series, _, labels) in versions)
            {
                series.Summaries![i].Write(text, SummaryFamilies[i].Name, labels);
            }
        }
    }

    private static void WriteFirstResponse(StringBuilder text, List<(VersionSeries Series, VersionSeries.Reading Reading, string Labels)> versions)
    {
        var streamed = versions.Where(v => v.Series.FirstResponse is not null).ToList();
        if (streamed.Count == 0)
        {
            return;
        }

        PrometheusText.Family(text, "nv_inference_first_response_histogram_ms", "histogram", "Duration from request to first response in milliseconds");
        foreach (var (series, _, labels) in streamed)
        {
            series.FirstResponse!.Write(text, "nv_inference_first_response_histogram_ms", labels);
        }
    }

    // Beyond Triton: what each model costs on a shared device, and where its instances are.
    private static void WriteDeviceShares(StringBuilder text, List<(VersionSeries Series, VersionSeries.Reading Reading, string Labels)> versions, string siloLabel)
    {
        var rows = versions.SelectMany(v => v.Reading.Devices.OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => (Labels: $"{PrometheusText.Label("model", v.Series.Model)},{PrometheusText.Label("version", v.Series.Version)},{PrometheusText.Label("device", d.Key)},{siloLabel}", d.Value.Busy, d.Value.Instances))).ToList();
        PrometheusText.Family(text, "grainserve_device_busy_seconds_total", "counter", "Seconds of device compute spent on each model version (batches run, or generation steps), per device.");
        foreach (var row in rows)
        {
            PrometheusText.Sample(text, "grainserve_device_busy_seconds_total", row.Labels, row.Busy.TotalSeconds);
        }

        PrometheusText.Family(text, "grainserve_instances", "gauge", "Instances of each model version loaded on each device.");
        foreach (var row in rows)
        {
            PrometheusText.Sample(text, "grainserve_instances", row.Labels, row.Instances);
        }
    }

    private void WriteDevices(StringBuilder text, string siloLabel)
    {
        var devices = _devices.OrderBy(d => d.Key, StringComparer.Ordinal).ToList();
        if (devices.Count == 0)
        {
            return;
        }

        PrometheusText.Family(text, "grainserve_device_memory_budget_bytes", "gauge", "The device's memory budget: what its instances may be charged in all.");
        foreach (var (key, (_, budget)) in devices)
        {
            PrometheusText.Sample(text, "grainserve_device_memory_budget_bytes", $"{PrometheusText.Label("device", key)},{siloLabel}", budget);
        }

        PrometheusText.Family(text, "grainserve_device_memory_used_bytes", "gauge", "Memory charged to the device's instances (measured by NVML around each load on a GPU, estimated on a CPU).");
        foreach (var (key, (used, _)) in devices)
        {
            PrometheusText.Sample(text, "grainserve_device_memory_used_bytes", $"{PrometheusText.Label("device", key)},{siloLabel}", used);
        }
    }
}
