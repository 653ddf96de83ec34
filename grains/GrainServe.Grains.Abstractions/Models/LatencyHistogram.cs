namespace GrainServe.Models;

/// <summary>
/// A latency histogram with fixed, log-spaced buckets, so that histograms from many gateways and many seconds merge by
/// adding counts. Bucket 0 holds latencies up to 50 µs; each next bucket's upper bound is 1.25 times the last, up to
/// about 124 s; the last bucket holds everything longer. A quantile is read as its bucket's upper bound, so it is at
/// most 25% above the true value.
/// </summary>
/// <remarks>Not thread-safe: one writer at a time, like the counters it sits beside.</remarks>
[GenerateSerializer, Alias("GrainServe.LatencyHistogram")]
public sealed class LatencyHistogram
{
    /// <summary>The number of buckets, the overflow bucket included.</summary>
    public const int BucketCount = 68;

    /// <summary>The ratio of one bucket's upper bound to the previous one's.</summary>
    public const double Growth = 1.25;

    /// <summary>The upper bound of bucket 0.</summary>
    public static readonly TimeSpan Smallest = TimeSpan.FromMicroseconds(50);

    // Upper bounds in ticks of every bucket but the overflow one; rounded to whole ticks so that a latency's bucket
    // does not depend on the last bit of Math.Pow on one machine or another.
    private static readonly long[] UpperBoundTicks = Enumerable.Range(0, BucketCount - 1)
        .Select(i => (long)Math.Round(Smallest.Ticks * Math.Pow(Growth, i)))
        .ToArray();

    /// <summary>The count of each bucket, <see cref="BucketCount"/> of them.</summary>
    [Id(0)] public long[] Counts { get; set; } = new long[BucketCount];

    /// <summary>The number of latencies added, the sum of <see cref="Counts"/>.</summary>
    [Id(1)] public long Count { get; set; }

    /// <summary>
    /// The upper bound of bucket <paramref name="bucket"/>, inclusive; <see cref="TimeSpan.MaxValue"/> for the overflow
    /// bucket.
    /// </summary>
    public static TimeSpan UpperBound(int bucket) =>
        bucket == BucketCount - 1 ? TimeSpan.MaxValue : TimeSpan.FromTicks(UpperBoundTicks[bucket]);

    /// <summary>The bucket a latency falls in; a negative latency (a clock step) counts as 0.</summary>
    public static int BucketOf(TimeSpan latency)
    {
        var index = Array.BinarySearch(UpperBoundTicks, latency.Ticks);
        return index >= 0 ? index : ~index;
    }

    /// <summary>Adds one latency.</summary>
    public void Add(TimeSpan latency)
    {
        Counts[BucketOf(latency)]++;
        Count++;
    }

    /// <summary>Adds every latency of <paramref name="other"/>.</summary>
    public void Merge(LatencyHistogram other)
    {
        if (other.Counts.Length != Counts.Length)
        {
            throw new ArgumentException($"a histogram of {other.Counts.Length} buckets cannot merge into one of {Counts.Length}", nameof(other));
        }

        for (var i = 0; i < Counts.Length; i++)
        {
            Counts[i] += other.Counts[i];
        }

        Count += other.Count;
    }

    /// <summary>
    /// The latency at or below which a share <paramref name="quantile"/> (0 to 1) of the latencies lie, as the upper
    /// bound of its bucket; the overflow bucket reads as its lower bound, about 124 s. Null when the histogram is empty.
    /// </summary>
    public TimeSpan? Quantile(double quantile)
    {
        if (Count == 0)
        {
            return null;
        }

        // The nearest-rank definition: the smallest latency with at least that share of the latencies at or below it.
        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(quantile, 0, 1) * Count));
        var seen = 0L;
        for (var i = 0; i < Counts.Length; i++)
        {
            seen += Counts[i];
            if (seen >= rank)
            {
                return TimeSpan.FromTicks(UpperBoundTicks[Math.Min(i, UpperBoundTicks.Length - 1)]);
            }
        }

        // Only a histogram whose Count exceeds its buckets' sum (a hand-made one) gets here.
        return TimeSpan.FromTicks(UpperBoundTicks[^1]);
    }

    /// <summary>Empties the histogram, keeping its buckets' memory.</summary>
    public void Clear()
    {
        Array.Clear(Counts);
        Count = 0;
    }
}
