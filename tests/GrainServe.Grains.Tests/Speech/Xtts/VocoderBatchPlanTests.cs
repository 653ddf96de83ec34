namespace GrainServe.Speech.Xtts;

public sealed class VocoderBatchPlanTests
{
    [Fact]
    public void Plan_EqualWindows_RunOnce()
    {
        var runs = VocoderBatchPlan.Plan([(17, 23), (40, 23), (3, 23)], maxBatch: 16);

        var run = Assert.Single(runs);
        Assert.Equal(23, run.Length);
        Assert.Equal([0, 1, 2], run.Windows);
    }

    [Fact]
    public void Plan_ShorterWindowWithEarlierRows_IsExtendedToTheLongest()
    {
        // A last window of 5 rows from row 60 can start 18 rows earlier; a first window (from row 0) cannot.
        var runs = VocoderBatchPlan.Plan([(60, 5), (17, 23), (0, 20)], maxBatch: 16);

        Assert.Equal(2, runs.Count);
        Assert.Equal(23, runs[0].Length);
        Assert.Equal([1, 0], runs[0].Windows);
        Assert.Equal(20, runs[1].Length);
        Assert.Equal([2], runs[1].Windows);
    }

    [Fact]
    public void Plan_OverTheBatchLimit_SplitsRunsAndKeepsEveryWindowOnce()
    {
        var windows = Enumerable.Range(0, 7).Select(i => (From: 30 + i, Length: 23)).ToList();

        var runs = VocoderBatchPlan.Plan(windows, maxBatch: 3);

        Assert.Equal([3, 3, 1], runs.Select(r => r.Windows.Count));
        Assert.Equal(Enumerable.Range(0, 7), runs.SelectMany(r => r.Windows).Order());
    }

    [Fact]
    public void Plan_MaxBatchOne_RunsEachAlone()
    {
        var runs = VocoderBatchPlan.Plan([(5, 10), (5, 10)], maxBatch: 1);

        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Single(r.Windows));
    }
}
