namespace GrainServe.Models;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void UpperBound_Buckets_GrowByAQuarterFrom50MicrosecondsPast120Seconds()
    {
        Assert.Equal(TimeSpan.FromMicroseconds(50), LatencyHistogram.UpperBound(0));
        Assert.Equal(TimeSpan.FromTicks(625), LatencyHistogram.UpperBound(1));
        Assert.InRange(LatencyHistogram.UpperBound(LatencyHistogram.BucketCount - 2), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(150));
        Assert.Equal(TimeSpan.MaxValue, LatencyHistogram.UpperBound(LatencyHistogram.BucketCount - 1));
    }

    [Theory]
    [InlineData(-5, 0)]
    [InlineData(0, 0)]
    [InlineData(500, 0)]
    [InlineData(501, 1)]
    [InlineData(625, 1)]
    [InlineData(626, 2)]
    [InlineData(long.MaxValue, LatencyHistogram.BucketCount - 1)]
    public void BucketOf_Ticks_IsTheFirstBucketWhoseUpperBoundHoldsIt(long ticks, int expected)
    {
        Assert.Equal(expected, LatencyHistogram.BucketOf(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void Quantile_Empty_IsNull()
    {
        Assert.Null(new LatencyHistogram().Quantile(0.99));
    }

    [Fact]
    public void Quantile_P99_IsWithinAQuarterAboveTheTrueValue()
    {
        var histogram = new LatencyHistogram();
        for (var i = 1; i <= 1000; i++)
        {
            histogram.Add(TimeSpan.FromMilliseconds(i));
        }

        var p99 = histogram.Quantile(0.99)!.Value;

        Assert.Equal(1000, histogram.Count);
        Assert.InRange(p99, TimeSpan.FromMilliseconds(990), TimeSpan.FromMilliseconds(990 * 1.25));
        Assert.InRange(histogram.Quantile(0.5)!.Value, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500 * 1.25));
    }

    [Fact]
    public void Quantile_BeyondLastBound_ReadsAsTheLastBound()
    {
        var histogram = new LatencyHistogram();
        histogram.Add(TimeSpan.FromHours(1));

        Assert.Equal(LatencyHistogram.UpperBound(LatencyHistogram.BucketCount - 2), histogram.Quantile(0.99));
    }

    [Fact]
    public void Merge_TwoHistograms_EqualsAddingEverythingToOne()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        var both = new LatencyHistogram();
        for (var i = 0; i < 500; i++)
        {
            var latency = TimeSpan.FromMicroseconds(40 + (i * 997 % 100_000));
            (i % 3 == 0 ? a : b).Add(latency);
            both.Add(latency);
        }

        a.Merge(b);

        Assert.Equal(both.Counts, a.Counts);
        Assert.Equal(both.Count, a.Count);
        Assert.Equal(both.Quantile(0.99), a.Quantile(0.99));
    }

    [Fact]
    public void Merge_OtherBucketCount_Throws()
    {
        Assert.Throws<ArgumentException>(() => new LatencyHistogram().Merge(new LatencyHistogram { Counts = new long[3] }));
    }

    [Fact]
    public void Clear_Filled_IsEmpty()
    {
        var histogram = new LatencyHistogram();
        histogram.Add(TimeSpan.FromSeconds(1));

        histogram.Clear();

        Assert.Equal(0, histogram.Count);
        Assert.All(histogram.Counts, c => Assert.Equal(0, c));
    }
}
