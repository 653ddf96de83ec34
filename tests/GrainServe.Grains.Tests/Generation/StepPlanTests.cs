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
    }
}
