using System.Text;

namespace GrainServe.Monitoring;

/// <summary>
/// A Prometheus summary as Triton's (prometheus-cpp's) is kept: quantiles over a sliding window (its last
/// <c>window</c>, in five age buckets that rotate out), <c>_sum</c> and <c>_count</c> over all time. The quantiles are
/// exact over the window's samples (nearest rank) rather than within an error bound; a bucket keeps at most
/// <see cref="BucketCapacity"/> samples, a uniform reservoir of what it saw, so memory stays bounded under any load.
/// </summary>
internal sealed class SlidingSummary
{
    public const int BucketCapacity = 2048;
    private const int AgeBuckets = 5;

    private readonly double[] _quantiles;
    private readonly long _bucketTicks;
    private readonly TimeProvider _time;
    private readonly Bucket[] _buckets = [.. Enumerable.Range(0, AgeBuckets).Select(_ => new Bucket())];
    private readonly Lock _lock = new();
    private readonly Random _random = new(0);
    private double _sum;
    private long _count;

    public SlidingSummary(IReadOnlyList<double> quantiles, TimeSpan window, TimeProvider time)
    {
        _quantiles = [.. quantiles];
        _bucketTicks = Math.Max(1, window.Ticks / AgeBuckets);
        _time = time;
    }

    public void Record(double value)
    {
        var epoch = Epoch();
        lock (_lock)
        {
            _sum += value;
            _count++;
            var bucket = _buckets[epoch % AgeBuckets];
            if (bucket.Epoch != epoch)
            {
                bucket.Epoch = epoch;
                bucket.Samples.Clear();
                bucket.Seen = 0;
            }

            bucket.Seen++;
            if (bucket.Samples.Count < BucketCapacity)
            {
                bucket.Samples.Add(value);
            }
            else if (_random.NextInt64(bucket.Seen) is var slot && slot < BucketCapacity)
            {
                bucket.Samples[(int)slot] = value;
            }
        }
    }

    /// <summary>The window's quantiles, in the order given; NaN when the window is empty, as Prometheus writes it.</summary>
    public double[] Quantiles()
    {
        var epoch = Epoch();
        List<double> samples = [];
        lock (_lock)
        {
            foreach (var bucket in _buckets)
            {
                if (bucket.Epoch > epoch - AgeBuckets && bucket.Epoch <= epoch)
                {
                    samples.AddRange(bucket.Samples);
                }
            }
        }

        samples.Sort();
        return [.. _quantiles.Select(q => samples.Count == 0 ? double.NaN : samples[Math.Clamp((int)Math.Ceiling(q * samples.Count) - 1, 0, samples.Count - 1)])];
    }

    /// <summary>Writes the quantile, <c>_sum</c> and <c>_count</c> lines; <paramref name="labels"/> is the label list without braces.</summary>
    public void Write(StringBuilder text, string name, string labels)
    {
        var values = Quantiles();
        for (var i = 0; i < _quantiles.Length; i++)
        {
            PrometheusText.Sample(text, name, $"{labels},quantile=\"{PrometheusText.Format(_quantiles[i])}\"", values[i]);
        }

        double sum;
        long count;
        lock (_lock)
        {
            sum = _sum;
            count = _count;
        }

        PrometheusText.Sample(text, name + "_sum", labels, sum);
        PrometheusText.Sample(text, name + "_count", labels, count);
    }

    private long Epoch() => _time.GetUtcNow().UtcTicks / _bucketTicks;

    private sealed class Bucket
    {
        public long Epoch { get; set; } = long.MinValue;

        public long Seen { get; set; }

        public List<double> Samples { get; } = [];
    }
}
