namespace GrainServe.Batching;

public sealed class BatchPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static BatchingSettings Dynamic(int max, TimeSpan delay, params int[] preferred) =>
        new(max, true, preferred, delay, 0, TimeSpan.Zero, QueueTimeoutAction.Reject);

    private static PendingBatchItem Item(int rows, double ageMs = 0, string shape = "2") => new(rows, T0 - TimeSpan.FromMilliseconds(ageMs), shape);

    [Fact]
    public void Decide_EmptyQueue_Idles()
    {
        Assert.Equal(BatchDecision.Idle, BatchPolicy.Decide([], T0, Dynamic(8, TimeSpan.FromMilliseconds(1))));
    }

    [Fact]
    public void Decide_BatchingOff_RunsOneRequestAtOnce()
    {
        var decision = BatchPolicy.Decide([Item(1), Item(1), Item(1)], T0, BatchingSettings.Off);
        Assert.Equal(BatchDecision.RunNow(1), decision);
    }

    [Fact]
    public void Decide_YoungerThanDelay_WaitsForTheRestOfTheDelay()
    {
        var decision = BatchPolicy.Decide([Item(1, ageMs: 3), Item(1, ageMs: 1)], T0, Dynamic(8, TimeSpan.FromMilliseconds(10)));
        Assert.Equal(0, decision.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(7), decision.WaitFor);
    }

    [Fact]
    public void Decide_OldestWaitedTheDelay_RunsEverythingThatFits()
    {
        var decision = BatchPolicy.Decide([Item(1, ageMs: 10), Item(2, ageMs: 5)], T0, Dynamic(8, TimeSpan.FromMilliseconds(10)));
        Assert.Equal(BatchDecision.RunNow(2), decision);
    }

    [Fact]
    public void Decide_ZeroDelay_RunsAtOnce()
    {
        var decision = BatchPolicy.Decide([Item(1), Item(1)], T0, Dynamic(8, TimeSpan.Zero));
        Assert.Equal(BatchDecision.RunNow(2), decision);
    }

    [Fact]
    public void Decide_MaxBatchSizeReached_RunsWithoutWaiting()
    {
        var decision = BatchPolicy.Decide([Item(4), Item(4), Item(1)], T0, Dynamic(8, TimeSpan.FromSeconds(1)));
        Assert.Equal(BatchDecision.RunNow(2), decision);
    }

    [Fact]
    public void Decide_NextRequestDoesNotFit_RunsWhatFits()
    {
        var decision = BatchPolicy.Decide([Item(5), Item(4)], T0, Dynamic(8, TimeSpan.FromSeconds(1)));
        Assert.Equal(BatchDecision.RunNow(1), decision);
    }

    [Fact]
    public void Decide_PreferredSizeFormed_RunsThePreferredPrefix()
    {
        var decision = BatchPolicy.Decide([Item(2), Item(2), Item(1)], T0, Dynamic(16, TimeSpan.FromSeconds(1), 4, 8));
        Assert.Equal(BatchDecision.RunNow(2), decision);
    }

    [Fact]
    public void Decide_LargestPreferredSizeFormed_PrefersItOverSmallerOne()
    {
        var decision = BatchPolicy.Decide([Item(4), Item(4), Item(1)], T0, Dynamic(16, TimeSpan.FromSeconds(1), 4, 8));
        Assert.Equal(BatchDecision.RunNow(2), decision);
    }

    [Fact]
    public void Decide_DifferentShapeNext_RunsTheSameShapePrefix()
    {
        var decision = BatchPolicy.Decide([Item(1, shape: "2"), Item(1, shape: "3"), Item(1, shape: "2")], T0, Dynamic(8, TimeSpan.FromSeconds(1)));
        Assert.Equal(BatchDecision.RunNow(1), decision);
    }

    [Fact]
    public void Decide_NoPreferredSizeYetBelowMax_Waits()
    {
        var decision = BatchPolicy.Decide([Item(1), Item(1), Item(1)], T0, Dynamic(16, TimeSpan.FromMilliseconds(5), 4, 8));
        Assert.Equal(TimeSpan.FromMilliseconds(5), decision.WaitFor);
    }
}
