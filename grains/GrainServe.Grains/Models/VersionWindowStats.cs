namespace GrainServe.Models;

/// <summary>One version's requests, failures and latencies over a window, as <see cref="VersionWindow"/> sums them.</summary>
/// <param name="Requests">Requests answered in the window, failed ones included.</param>
/// <param name="Errors">Requests that failed.</param>
/// <param name="Latency">The latencies of the window's requests; the caller must not change it.</param>
public sealed record VersionWindowStats(long Requests, long Errors, LatencyHistogram Latency)
{
    /// <summary>A version with no request in the window.</summary>
    public static VersionWindowStats Empty { get; } = new(0, 0, new LatencyHistogram());

    /// <summary>Errors over requests, 0 to 1; 0 when there was no request.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <summary>The p99 latency; null when there was no request with a latency.</summary>
    public TimeSpan? P99 => Latency.Quantile(0.99);
}
