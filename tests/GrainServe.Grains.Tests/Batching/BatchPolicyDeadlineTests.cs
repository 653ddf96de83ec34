namespace GrainServe.Batching;

public sealed class BatchPolicyDeadlineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static BatchingSettings Dynamic(int max, TimeSpan delay) =>
        new(max, true, [], delay, 0, TimeSpan.Zero, QueueTimeoutAction.Reject);

    private static PendingBatchItem Item(double ageMs = 0, double? dueInMs = null) =>
        new(1, T0 - TimeSpan.FromMilliseconds(ageMs), "2", dueInMs is { } due ? T0 + TimeSpan.FromMilliseconds(due) : null);

    [Fact]
    public void Decide_MemberDueBeforeTheDelayEnds_WaitsOnlyUntilItMustStart()
    {
        // Due in 100 ms, batches take 30 ms: it must start within 70 ms, before the 1 s delay is out.
        var decision = BatchPolicy.Decide([Item(dueInMs: 100), Item()], T0, Dynamic(8, TimeSpan.FromSeconds(1)), TimeSpan.FromMilliseconds(30));
        Assert.Equal(BatchDecision.Wait(TimeSpan.FromMilliseconds(70)), decision);
    }

    [Fact]
    public void Decide_MemberMustStartNow_RunsWithoutWaitingForMore()
    {
        var decision = BatchPolicy.Decide([Item(), Item(dueInMs: 30)], T0, Dynamic(8, TimeSpan.FromSeconds(1)), TimeSpan.FromMilliseconds(30));
        Assert.Equal(BatchDecision.RunNow(2), decision);
    }

    [Fact]
    public void Decide_DeadlinesLaterThanTheDelay_WaitTheDelayAsBefore()
    {
        var decision = BatchPolicy.Decide([Item(dueInMs: 5000)], T0, Dynamic(8, TimeSpan.FromMilliseconds(10)), TimeSpan.FromMilliseconds(30));
        Assert.Equal(BatchDecision.Wait(TimeSpan.FromMilliseconds(10)), decision);
    }

    [Fact]
    public void Decide_OldestMemberNotFirst_CountsTheDelayFromTheOldest()
    {
        // Run order puts an urgent newcomer first; the request beside it has waited 8 of the 10 ms already.
        var decision = BatchPolicy.Decide([Item(ageMs: 0, dueInMs: 5000), Item(ageMs: 8)], T0, Dynamic(8, TimeSpan.FromMilliseconds(10)), TimeSpan.FromMilliseconds(1));
        Assert.Equal(BatchDecision.Wait(TimeSpan.FromMilliseconds(2)), decision);
    }

    [Fact]
    public void Decide_DeadlineBeforeAnyBatchRan_RunsAtOnce()
    {
        // No batch time yet: waiting for company could cost the member its deadline by an unknown margin.
        var decision = BatchPolicy.Decide([Item(dueInMs: 5000)], T0, Dynamic(8, TimeSpan.FromSeconds(1)));
        Assert.Equal(BatchDecision.RunNow(1), decision);
    }

    [Fact]
    public void Decide_DeadlineBeyondAFullBatch_DoesNotHoldTheBatch()
    {
        // Only the batch's members count: the third request does not fit a batch of 2 and runs next time.
        var decision = BatchPolicy.Decide([Item(), Item(), Item(dueInMs: 1)], T0, Dynamic(2, TimeSpan.FromSeconds(1)), TimeSpan.FromMilliseconds(30));
        Assert.Equal(BatchDecision.RunNow(2), decision);
    }

    [Theory]
    [InlineData(100, 0, 30, true)]
    [InlineData(100, 70, 30, true)]
    [InlineData(100, 71, 30, false)]
    [InlineData(100, 100, 0, false)]
    [InlineData(100, 99, 0, true)]
    public void CanMeet_BatchEndingByTheDeadline_Meets(int dueMs, int nowMs, int batchMs, bool expected)
    {
        Assert.Equal(expected, BatchPolicy.CanMeet(T0.AddMilliseconds(dueMs), T0.AddMilliseconds(nowMs), TimeSpan.FromMilliseconds(batchMs)));
    }
}
