using GrainServe.Errors;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Gateway.DataPlane;

public sealed class RequestWindowTests
{
    // Mid-second, so that advancing by whole seconds never lands on a bucket boundary.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, 500, TimeSpan.Zero));

    [Fact]
    public void Figures_NoRequests_AreZeroWithoutQuantiles()
    {
        var figures = new RequestWindow(_time).Figures();

        Assert.Equal(new RequestFigures(0, 0, 0, null, null), figures);
    }

    [Fact]
    public void Figures_HundredDurations_QuantilesAreTheExactNearestRanks()
    {
        var window = new RequestWindow(_time);
        // 1..100 ms, in a shuffled order, spread over several seconds.
        foreach (var ms in Enumerable.Range(1, 100).OrderBy(i => (i * 37) % 101))
        {
            window.Record(TimeSpan.FromMilliseconds(ms), failed: ms % 10 == 0);
            if (ms % 25 == 0)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        var figures = window.Figures();

        Assert.Equal(100, figures.Requests);
        Assert.Equal(10, figures.Errors);
        Assert.Equal(50, figures.P50Milliseconds);
        Assert.Equal(99, figures.P99Milliseconds);
    }

    [Theory]
    [InlineData(new double[] { 7 }, 0.5, 7)]
    [InlineData(new double[] { 7 }, 0.99, 7)]
    [InlineData(new double[] { 1, 2 }, 0.5, 1)]
    [InlineData(new double[] { 1, 2 }, 0.99, 2)]
    [InlineData(new double[] { 1, 2, 3 }, 0.5, 2)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 0.99, 10)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 0, 1)]
    public void Quantile_SortedSamples_IsTheNearestRank(double[] sorted, double p, double expected)
    {
        Assert.Equal(expected, RequestWindow.Quantile(sorted, p));
    }

    [Fact]
    public void Figures_AfterTheWindowPasses_ForgetEveryRequest()
    {
        var window = new RequestWindow(_time);
        window.Record(TimeSpan.FromMilliseconds(5), failed: true);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(1, window.Figures().Requests);

        _time.Advance(TimeSpan.FromSeconds(1));
        var figures = window.Figures();
        Assert.Equal(0, figures.Requests);
        Assert.Equal(0, figures.Errors);
        Assert.Null(figures.P50Milliseconds);
    }

    [Fact]
    public void Figures_PartlyExpired_KeepOnlyTheLastMinutesSamples()
    {
        var window = new RequestWindow(_time);
        window.Record(TimeSpan.FromMilliseconds(1000), failed: true);
        _time.Advance(TimeSpan.FromSeconds(30));
        window.Record(TimeSpan.FromMilliseconds(10), failed: false);
        window.Record(TimeSpan.FromMilliseconds(20), failed: false);

        _time.Advance(TimeSpan.FromSeconds(40));
        var figures = window.Figures();

        Assert.Equal(2, figures.Requests);
        Assert.Equal(0, figures.Errors);
        Assert.Equal(10, figures.P50Milliseconds);
        Assert.Equal(20, figures.P99Milliseconds);
    }

    [Fact]
    public void Record_SameBucketOneMinuteLater_StartsItAfresh()
    {
        var window = new RequestWindow(_time);
        window.Record(TimeSpan.FromMilliseconds(1), failed: true);

        _time.Advance(TimeSpan.FromSeconds(60));
        window.Record(TimeSpan.FromMilliseconds(2), failed: false);

        var figures = window.Figures();
        Assert.Equal(1, figures.Requests);
        Assert.Equal(0, figures.Errors);
        Assert.Equal(2, figures.P99Milliseconds);
    }

    [Fact]
    public void RequestsPerSecond_FirstSeconds_AreOverTheTimeSinceTheFirstRequest()
    {
        var window = new RequestWindow(_time);
        for (var i = 0; i < 10; i++)
        {
            window.Record(TimeSpan.FromMilliseconds(1), failed: false);
        }

        Assert.Equal(10, window.Figures().RequestsPerSecond);

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(2, window.Figures().RequestsPerSecond);

        // Past the window's length the rate is over the whole window, and the first ten have left it.
        _time.Advance(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 60; i++)
        {
            window.Record(TimeSpan.FromMilliseconds(1), failed: false);
        }

        Assert.Equal(1, window.Figures().RequestsPerSecond);
    }

    [Fact]
    public void Record_MoreRequestsThanABucketKeeps_CountsExactlyAndSamplesWithinTheBound()
    {
        var window = new RequestWindow(_time, new Random(1), maxSamplesPerBucket: 8);
        // 1000 requests in one second: 1..1000 ms.
        for (var ms = 1; ms <= 1000; ms++)
        {
            window.Record(TimeSpan.FromMilliseconds(ms), failed: ms <= 3);
        }

        var figures = window.Figures();

        Assert.Equal(1000, figures.Requests);
        Assert.Equal(3, figures.Errors);
        // A uniform sample of 8 out of 1000: the estimate is in range, not exact.
        Assert.InRange(figures.P50Milliseconds!.Value, 1, 1000);
        Assert.True(figures.P50Milliseconds <= figures.P99Milliseconds);
    }

    [Fact]
    public void Record_ManySecondsOverTheBound_KeepsAUniformSampleOfEachSecond()
    {
        // Every second: 50 requests of 1 ms, then 150 of 100 ms. A bucket that kept its first requests would see 1 ms
        // only (median 1); a uniform sample is about three quarters 100 ms (median 100).
        var window = new RequestWindow(_time, new Random(7), maxSamplesPerBucket: 16);
        for (var second = 0; second < 50; second++)
        {
            for (var i = 0; i < 200; i++)
            {
                window.Record(TimeSpan.FromMilliseconds(i < 50 ? 1 : 100), failed: false);
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var figures = window.Figures();

        Assert.Equal(10_000, figures.Requests);
        Assert.Equal(100, figures.P50Milliseconds);
        Assert.Equal(100, figures.P99Milliseconds);
    }

    [Fact]
    public void Combine_TwoWindows_AddsCountsAndTakesQuantilesOverTheUnion()
    {
        var a = new RequestWindow(_time);
        var b = new RequestWindow(_time);
        foreach (var ms in new[] { 1, 2, 3 })
        {
            a.Record(TimeSpan.FromMilliseconds(ms), failed: false);
        }

        b.Record(TimeSpan.FromMilliseconds(100), failed: true);

        var figures = RequestWindow.Combine([a, b]);

        Assert.Equal(4, figures.Requests);
        Assert.Equal(1, figures.Errors);
        Assert.Equal(2, figures.P50Milliseconds);
        Assert.Equal(100, figures.P99Milliseconds);
    }

    [Fact]
    public void Windows_RecordByVersion_ModelTotalIncludesRequestsWithoutAVersion()
    {
        var windows = new RequestWindows(_time, NullLogger<RequestWindows>.Instance);
        windows.Record("m", "1", TimeSpan.FromMilliseconds(1), null);
        windows.Record("m", "2", TimeSpan.FromMilliseconds(2), InferenceErrorCode.Internal);
        windows.Record("m", null, TimeSpan.FromMilliseconds(3), InferenceErrorCode.InvalidInput);

        Assert.Equal((1, 0), Counts(windows.Of("m", "1")));
        Assert.Equal((1, 1), Counts(windows.Of("m", "2")));
        Assert.Equal((3, 2), Counts(windows.Of("m", null)));
        Assert.Equal((0, 0), Counts(windows.Of("m", "3")));
        Assert.Equal((0, 0), Counts(windows.Of("other", null)));
    }

    [Fact]
    public void Windows_UnknownModel_IsNotCounted()
    {
        var windows = new RequestWindows(_time, NullLogger<RequestWindows>.Instance);

        windows.Record("made-up", null, TimeSpan.FromMilliseconds(1), InferenceErrorCode.ModelNotFound);

        Assert.Equal((0, 0), Counts(windows.Of("made-up", null)));
    }

    [Fact]
    public void Windows_PastMaxSeries_StopCountingNewOnesButKeepTheOld()
    {
        var windows = new RequestWindows(_time, NullLogger<RequestWindows>.Instance);
        for (var i = 0; i < RequestWindows.MaxSeries; i++)
        {
            windows.Record($"m{i}", "1", TimeSpan.FromMilliseconds(1), null);
        }

        windows.Record("one-too-many", "1", TimeSpan.FromMilliseconds(1), null);
        windows.Record("m0", "1", TimeSpan.FromMilliseconds(1), null);

        Assert.Equal(0, windows.Of("one-too-many", null).Requests);
        Assert.Equal(2, windows.Of("m0", "1").Requests);
    }

    private static (long Requests, long Errors) Counts(RequestFigures figures) => (figures.Requests, figures.Errors);
}
