namespace GrainServe.Monitoring;

/// <summary>
/// What the metrics port of every silo serves, with Triton's switches (<c>--metrics-config</c>) under the same names.
/// </summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Metrics";

    /// <summary>
    /// The device silo's metrics port, serving <c>/metrics</c> on every address. Null (default) serves none; the
    /// Kubernetes manifest sets 8002. (The gateway's metrics port is <c>Gateway:MetricsPort</c>.)
    /// </summary>
    public int? Port { get; set; }

    /// <summary>
    /// Triton's <c>summary_latencies</c>: the <c>nv_inference_*_summary_us</c> families, quantiles over a sliding window.
    /// Off by default, as in Triton.
    /// </summary>
    public bool SummaryLatencies { get; set; }

    /// <summary>
    /// Triton's <c>summary_quantiles</c>, <c>quantile:error</c> pairs separated by commas. The quantiles here are exact
    /// over the window, so the error part is accepted and not needed. Default Triton's: <c>0.5:0.05,0.9:0.01,0.95:0.001,0.99:0.001</c>.
    /// </summary>
    public string SummaryQuantiles { get; set; } = "0.5:0.05,0.9:0.01,0.95:0.001,0.99:0.001";

    /// <summary>The window the summaries' quantiles cover. Default 60 s (prometheus-cpp's <c>max_age</c>, which Triton uses).</summary>
    public TimeSpan SummaryWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Triton's <c>histogram_latencies</c>: <c>nv_inference_first_response_histogram_ms</c> for streaming models
    /// (generation and streamed transcription). On by default here, unlike Triton: the streaming models are the ones
    /// it is for, and the series exist only once such a model has answered.
    /// </summary>
    public bool HistogramLatencies { get; set; } = true;

    /// <summary>
    /// The first-response histogram's bucket bounds, in milliseconds. Null (default) is Triton's: 100, 500, 2000, 5000.
    /// (Null rather than an array default: the configuration binder appends to an array it finds, it does not replace it.)
    /// </summary>
    public double[]? FirstResponseBucketsMs { get; set; }

    /// <summary>The bounds in force.</summary>
    public double[] FirstResponseBuckets => FirstResponseBucketsMs ?? [100, 500, 2000, 5000];

    /// <summary>The quantiles of <see cref="SummaryQuantiles"/>; call after validation.</summary>
    public IReadOnlyList<double> ParsedQuantiles() => [.. SummaryQuantiles.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => double.Parse(pair.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture))];
}
