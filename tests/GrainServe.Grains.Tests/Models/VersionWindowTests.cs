namespace GrainServe.Models;

public sealed class VersionWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Snapshot_RecordsInsideTheWindow_SumsThem()
    {
        var window = new VersionWindow(TimeSpan.FromSeconds(30));
        for (var s = 0; s < 30; s++)
        {
            window.Record(T0.AddSeconds(s), TimeSpan.FromMilliseconds(10), failed: s % 10 == 0);
        }

        var stats = window.Snapshot(T0.AddSeconds(29.5));

        Assert.Equal((30L, 3L), (stats.Requests, stats.Errors));
        Assert.Equal(0.1, stats.ErrorRate, 9);
        Assert.Equal(30, stats.Latency.Count);
    }

    [Fact]
    public void Snapshot_SecondsOlderThanTheWindow_AreLeftOut()
    {
        var window = new VersionWindow(TimeSpan.FromSeconds(30));
        window.Record(T0, TimeSpan.FromMilliseconds(10), failed: true);
        window.Record(T0.AddSeconds(10), TimeSpan.FromMilliseconds(10), failed: false);

        Assert.Equal(2, window.Snapshot(T0.AddSeconds(29)).Requests);
        Assert.Equal(1, window.Snapshot(T0.AddSeconds(30)).Requests);
        Assert.Equal(0, window.Snapshot(T0.AddSeconds(40)).Requests);
    }

    [Fact]
    public void Record_SlotReusedAfterAWholeWindow_ForgetsTheOldSecond()
    {
        var window = new VersionWindow(TimeSpan.FromSeconds(5));
        window.Record(T0, TimeSpan.FromSeconds(1), failed: true);

        window.Record(T0.AddSeconds(5), TimeSpan.FromMilliseconds(1), failed: false);

        var stats = window.Snapshot(T0.AddSeconds(5));
        Assert.Equal((1L, 0L), (stats.Requests, stats.Errors));
        Assert.Equal(LatencyHistogram.UpperBound(LatencyHistogram.BucketOf(TimeSpan.FromMilliseconds(1))), stats.P99);
    }

    [Fact]
    public void Add_GatewayReports_MergeIntoTheSecond()
    {
        var window = new VersionWindow(TimeSpan.FromSeconds(30));
        var latency = new LatencyHistogram();
        latency.Add(TimeSpan.FromMilliseconds(5));
        latency.Add(TimeSpan.FromMilliseconds(7));

        window.Add(T0, 2, 1, latency);
        window.Add(T0.AddMilliseconds(300), 2, 0, latency);

        var stats = window.Snapshot(T0.AddSeconds(1));
        Assert.Equal((4L, 1L, 4L), (stats.Requests, stats.Errors, stats.Latency.Count));
    }

    [Fact]
    public void Window_Fractional_RoundsUpToWholeSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), new VersionWindow(TimeSpan.FromSeconds(2.1)).Window);
        Assert.Equal(TimeSpan.FromSeconds(1), new VersionWindow(TimeSpan.Zero).Window);
    }

    [Fact]
    public void Snapshot_Empty_HasNoRateOrLatency()
    {
        var stats = new VersionWindow(TimeSpan.FromSeconds(30)).Snapshot(T0);

        Assert.Equal((0L, 0.0), (stats.Requests, stats.ErrorRate));
        Assert.Null(stats.P99);
    }
}
