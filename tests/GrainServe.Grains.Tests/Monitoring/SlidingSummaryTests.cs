using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Monitoring;

public sealed class SlidingSummaryTests
{
    [Fact]
    public void Quantiles_AreTheNearestRankOfTheWindowsSamples()
    {
        var summary = new SlidingSummary([0.5, 0.9, 0.99], TimeSpan.FromSeconds(60), new FakeTimeProvider());
        foreach (var value in Enumerable.Range(1, 100).Reverse())
        {
            summary.Record(value);
        }

        Assert.Equal([50.0, 90.0, 99.0], summary.Quantiles());
    }

    [Fact]
    public void Quantiles_ForgetSamplesOlderThanTheWindow_WhileSumAndCountKeepEverything()
    {
        var time = new FakeTimeProvider();
        var summary = new SlidingSummary([0.5], TimeSpan.FromSeconds(60), time);
        summary.Record(1000);
        time.Advance(TimeSpan.FromSeconds(61));
        summary.Record(1);
        summary.Record(3);

        Assert.Equal([1.0], summary.Quantiles());
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.True(double.IsNaN(summary.Quantiles()[0]));

        var text = new System.Text.StringBuilder();
        summary.Write(text, "x_us", "m=\"a\"");
        Assert.Equal("x_us{m=\"a\",quantile=\"0.5\"} NaN\nx_us_sum{m=\"a\"} 1004\nx_us_count{m=\"a\"} 3\n", text.ToString());
    }

    [Fact]
    public void Record_PastABucketsCapacity_KeepsMemoryBoundedAndTheDistribution()
    {
        var summary = new SlidingSummary([0.5], TimeSpan.FromSeconds(60), new FakeTimeProvider());
        for (var i = 0; i < 20 * SlidingSummary.BucketCapacity; i++)
        {
            summary.Record(i % 1000);
        }

        // A uniform reservoir of 0..999: its median stays near 500.
        Assert.InRange(summary.Quantiles()[0], 450, 550);
    }
}
