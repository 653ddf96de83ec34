namespace GrainServe.Models;

/// <summary>
/// What one gateway's requests to one version did over a report period: requests answered, those that failed on the
/// server's side (an internal error, not ready after every failover, a timeout; never the client's own bad input), the
/// mirrored copies it sent, and the answered requests' latencies.
/// </summary>
[GenerateSerializer, Alias("GrainServe.VersionTrafficCounts")]
public sealed class VersionTrafficCounts
{
    /// <summary>Requests (mirrored copies excluded) the version answered or failed.</summary>
    [Id(0)] public long Requests { get; set; }

    /// <summary>Of <see cref="Requests"/>, those that failed on the server's side.</summary>
    [Id(1)] public long Errors { get; set; }

    /// <summary>Mirrored copies sent to the version; their answers were discarded and are counted nowhere else.</summary>
    [Id(2)] public long Mirrored { get; set; }

    /// <summary>The latencies of <see cref="Requests"/>, from the gateway's choice of instance to the answer (or the last token).</summary>
    [Id(3)] public LatencyHistogram Latency { get; set; } = new();

    /// <summary>Adds <paramref name="other"/>'s counts and latencies to these.</summary>
    public void Add(VersionTrafficCounts other)
    {
        Requests += other.Requests;
        Errors += other.Errors;
        Mirrored += other.Mirrored;
        Latency.Merge(other.Latency);
    }
}
