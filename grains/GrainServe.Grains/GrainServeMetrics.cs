using System.Diagnostics.Metrics;
using GrainServe.Errors;

namespace GrainServe;

/// <summary>
/// The serving metrics, tagged by model and version. The gateway exports the <c>GrainServe</c> meter to
/// Prometheus with the meter name as prefix (<c>grainserve_batch_size</c>); per-request and per-batch numbers
/// live here, not in logs.
/// </summary>
public static class GrainServeMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "GrainServe";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("batch_size", "{rows}", "Rows per executed batch.");
    private static readonly Histogram<double> ComputeSeconds = Meter.CreateHistogram<double>("batch_duration_seconds", "s", "Time to run one batch, joining and splitting included.");
    private static readonly Histogram<double> QueueSeconds = Meter.CreateHistogram<double>("queue_delay_seconds", "s", "Time a request waited in its instance's queue.");
    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>("rejected_requests", "{requests}", "Requests refused by a queue (full, timed out, unable to meet their deadline, or cancelled by their caller while waiting).");
    private static readonly Counter<long> Placements = Meter.CreateCounter<long>("placements", "{loads}", "Instance loads a device was asked for, by outcome: loaded, no_room (the budget had no room even after eviction) or failed.");
    private static readonly Counter<long> Evictions = Meter.CreateCounter<long>("evictions", "{instances}", "Idle instances unloaded to make room for another model's instance.");
    private static readonly Counter<long> CacheMisses = Meter.CreateCounter<long>("cache_misses", "{loads}", "Versions loaded again for a request after eviction had taken their last instance.");
    private static readonly Counter<long> ColdStarts = Meter.CreateCounter<long>("cold_starts", "{loads}", "Loads of a version scaled to zero that requests waited for, by outcome (loaded or failed).");
    private static readonly Histogram<double> ColdStartSeconds = Meter.CreateHistogram<double>("cold_start_duration_seconds", "s", "Time a cold start took, from the first request at a version scaled to zero until its instance loaded or the load failed.");

    private static readonly Counter<double> AudioSeconds = Meter.CreateCounter<double>("audio_seconds", "s", "Seconds of audio text-to-speech models made.");
    private static readonly Histogram<double> RealTimeFactor = Meter.CreateHistogram<double>("synthesis_real_time_factor", "1", "A synthesis's time over the length of the audio it made: under 1 is faster than real time.");

    internal static void RecordBatch(string model, string version, int rows, TimeSpan duration)
    {
        var tags = Tags(model, version);
        BatchSize.Record(rows, tags);
        ComputeSeconds.Record(duration.TotalSeconds, tags);
    }

    internal static void RecordQueueDelay(string model, string version, TimeSpan delay) =>
        QueueSeconds.Record(delay.TotalSeconds, Tags(model, version));

    internal static void RecordRejected(string model, string version, InferenceErrorCode reason) =>
        Rejected.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("version", version), new KeyValuePair<string, object?>("reason", reason.ToString()));

    internal static void RecordPlacement(string model, string version, string device, string outcome) =>
        Placements.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("version", version), new KeyValuePair<string, object?>("device", device), new KeyValuePair<string, object?>("outcome", outcome));

    internal static void RecordSynthesis(string model, string version, double audioSeconds, TimeSpan elapsed)
    {
        var tags = Tags(model, version);
        AudioSeconds.Add(audioSeconds, tags);
        if (audioSeconds > 0)
        {
            RealTimeFactor.Record(elapsed.TotalSeconds / audioSeconds, tags);
        }
    }

    internal static void RecordEviction(string model, string version) => Evictions.Add(1, Tags(model, version));

    internal static void RecordCacheMiss(string model, string version) => CacheMisses.Add(1, Tags(model, version));
    internal static void RecordColdStart(string model, string version, TimeSpan duration, bool loaded)
    {
        var tags = new KeyValuePair<string, object?>[] { new("model", model), new("version", version), new("outcome", loaded ? "loaded" : "failed") };
        ColdStarts.Add(1, tags);
        ColdStartSeconds.Record(duration.TotalSeconds, tags);
    }

    private static ReadOnlySpan<KeyValuePair<string, object?>> Tags(string model, string version) =>
        new KeyValuePair<string, object?>[] { new("model", model), new("version", version) };
}
