using System.Globalization;
using System.Text;

namespace GrainServe.Monitoring;

/// <summary>A cumulative Prometheus histogram with fixed upper bounds, written as <c>_bucket</c>, <c>_sum</c> and <c>_count</c> lines.</summary>
internal sealed class BucketHistogram(double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private readonly Lock _lock = new();
    private double _sum;
    private long _count;

    public void Record(double value)
    {
        var bucket = Array.BinarySearch(bounds, value);
        bucket = bucket >= 0 ? bucket : ~bucket;
        lock (_lock)
        {
            _counts[bucket]++;
            _sum += value;
            _count++;
        }
    }

    /// <summary>Writes the series under <paramref name="name"/>; <paramref name="labels"/> is the label list without braces.</summary>
    public void Write(StringBuilder text, string name, string labels)
    {
        lock (_lock)
        {
            long cumulative = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                cumulative += _counts[i];
                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"{bounds[i]}\"}} {cumulative}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"+Inf\"}} {_count}\n");
            text.Append(CultureInfo.InvariantCulture, $"{name}_sum{{{labels}}} {_sum}\n");
            text.Append(CultureInfo.InvariantCulture, $"{name}_count{{{labels}}} {_count}\n");
        }
    }
}
