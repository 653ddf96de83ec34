namespace GrainServe.Generation;

public sealed class StepPlanTests
{
    [Fact]
    public void Ctor_MixedEntries_PadsPastLeftAndNewRight()
    {
        var plan = new StepPlan(
        [
            new StepEntry(1, new[] { 9 }, 30, true),
            new StepEntry(2, new int[7], 0, true),
            new StepEntry(3, new int[4], 6, false),
        ]);

        Assert.Equal(3, plan.Rows);
        Assert.Equal(30, plan.PastLength);
        Assert.Equal(7, plan.NewLength);
        Assert.Equal(37, plan.TotalLength);
        Assert.Equal([30, 0, 6], plan.Past);
        Assert.Equal([1, 7, 4], plan.New);
        Assert.Equal([0, 30, 24], Enumerable.Range(0, 3).Select(plan.PastOffset));
        Assert.Equal([30, 30, 30], Enumerable.Range(0, 3).Select(plan.PresentOffset));
        Assert.Equal([31, 37, 34], Enumerable.Range(0, 3).Select(plan.MaskEnd));
    }

    [Fact]
    public void Ctor_RightPadded_PastStartsAtZeroAndNewVectorsFollowEachRowsOwnPast()
    {
        var plan = new StepPlan([new StepEntry(1, new[] { 9 }, 30, true), new StepEntry(2, new[] { 4 }, 0, true), new StepEntry(3, new[] { 5 }, 6, true)], rightPadded: true);

        Assert.True(plan.RightPadded);
        Assert.Equal(30, plan.PastLength);
        Assert.Equal(31, plan.TotalLength);
        Assert.Equal([0, 0, 0], Enumerable.Range(0, 3).Select(plan.PastOffset));
        Assert.Equal([30, 0, 6], Enumerable.Range(0, 3).Select(plan.PresentOffset));

        // The mask's ones are each row's real tokens from position 0: its sum minus 1 is GroupQueryAttention's seqlens_k.
        Assert.Equal([31, 1, 7], Enumerable.Range(0, 3).Select(plan.MaskEnd));
    }
}
