namespace GrainServe.Gateway.DataPlane;

/// <summary>
/// The requests one gateway routed to one model version over the last <see cref="Length"/>, in one-second buckets: exact
/// counts of requests and errors, and their end-to-end durations, from which <see cref="Figures"/> takes exact quantiles.
/// </summary>
/// <remarks>
/// Memory is bounded: a bucket keeps at most <c>maxSamplesPerBucket</c> durations. Past that it keeps a uniform random
/// sample of the second's requests (reservoir sampling), so a quantile is exact over every request of a window that stayed
/// under the bound and an estimate from a uniform sample of each busy second otherwise; counts are always exact.
/// </remarks>
internal sealed class RequestWindow
{
    /// <summary>How far back the figures reach.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromSeconds(BucketCount);

    /// <summary>Durations a one-second bucket keeps at most: 60 × 128 doubles, 60 KiB per model version.</summary>
    public const int DefaultMaxSamplesPerBucket = 128;

    private const int BucketCount = 60;

    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly int _maxSamplesPerBucket;
    private readonly Bucket[] _buckets = new Bucket[BucketCount];
    private readonly Lock _lock = new();
    private long _firstSecond = long.MinValue;

    public RequestWindow(TimeProvider time, Random? random = null, int maxSamplesPerBucket = DefaultMaxSamplesPerBucket)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSamplesPerBucket, 1);
        _time = time;
        _random = random ?? Random.Shared;
        _maxSamplesPerBucket = maxSamplesPerBucket;
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new Bucket();
        }
    }

    /// <summary>Counts one request that took <paramref name="duration"/> end to end; <paramref name="failed"/> when it was answered with an error.</summary>
    public void Record(TimeSpan duration, bool failed)
    {
        var second = Now();
        lock (_lock)
        {
            if (_firstSecond == long.MinValue)
            {
                _firstSecond = second;
            }

            var bucket = _buckets[Index(second)];
            if (bucket.Second != second)
            {
                bucket.Reset(second);
            }

            bucket.Add(duration.TotalMilliseconds, failed, _maxSamplesPerBucket, _random);
        }
    }

    /// <summary>This window's figures now.</summary>
    public RequestFigures Figures() => Combine([this]);

    /// <summary>
    /// The figures of several windows taken together (a model's versions): counts add up, quantiles are over the union of
    /// their samples, and the rate is over the longest time any of them has been recording, up to <see cref="Length"/>.
    /// </summary>
    public static RequestFigures Combine(IEnumerable<RequestWindow> windows)
    {
        long requests = 0, errors = 0, span = 0;
        var samples = new List<double>();
        foreach (var window in windows)
        {
            var now = window.Now();
            lock (window._lock)
            {
                if (window._firstSecond == long.MinValue)
                {
                    continue;
                }

                // The current second counts as a whole one, so a burst just after start-up is not a huge rate.
                span = Math.Max(span, Math.Min(BucketCount, now - window._firstSecond + 1));
                foreach (var bucket in window._buckets)
                {
                    if (bucket.Second > now - BucketCount && bucket.Second <= now)
                    {
                        requests += bucket.Requests;
                        errors += bucket.Errors;
                        samples.AddRange(bucket.Samples.AsSpan(0, bucket.SampleCount));
                    }
                }
            }
        }

        samples.Sort();
        return new RequestFigures(
            requests,
            errors,
            span == 0 ? 0 : (double)requests / span,
            Quantile(samples, 0.50),
            Quantile(samples, 0.99));
    }

    /// <summary>
    /// The <paramref name="p"/>-quantile of <paramref name="sorted"/> by the nearest-rank method: the smallest sample with at
    /// least a share <paramref name="p"/> of the samples at or below it; null for no samples.
    /// </summary>
    public static double? Quantile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000;

    private static int Index(long second) => (int)(((second % BucketCount) + BucketCount) % BucketCount);

    // One second of requests. Owned by the window and touched only under its lock.
    private sealed class Bucket
    {
        public long Second { get; private set; } = long.MinValue;

        public long Requests { get; private set; }

        public long Errors { get; private set; }

        public double[] Samples { get; private set; } = [];

        public int SampleCount { get; private set; }

        public void Reset(long second)
        {
            Second = second;
            Requests = 0;
            Errors = 0;
            SampleCount = 0;
        }

        public void Add(double milliseconds, bool failed, int maxSamples, Random random)
        {
            Requests++;
            if (failed)
            {
                Errors++;
            }

            if (SampleCount < maxSamples)
            {
                if (SampleCount == Samples.Length)
                {
                    // Grows by doubling up to the bound, so a quiet model holds a few bytes rather than the full bucket.
                    var grown = new double[Math.Min(maxSamples, Math.Max(4, Samples.Length * 2))];
                    Samples.AsSpan(0, SampleCount).CopyTo(grown);
                    Samples = grown;
                }

                Samples[SampleCount++] = milliseconds;
                return;
            }

            // Reservoir sampling (Algorithm R): the n-th request of the second replaces a kept one with probability max/n.
            var slot = random.NextInt64(Requests);
            if (slot < maxSamples)
            {
                Samples[slot] = milliseconds;
            }
        }
    }
}
