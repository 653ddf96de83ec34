using GrainServe.Contracts;

namespace GrainServe.Batching;

public sealed class BatchDurationEstimateTests
{
    [Fact]
    public void Record_FirstBatch_IsTheEstimate()
    {
        var estimate = new BatchDurationEstimate();
        Assert.Null(estimate.Current);
        Assert.Equal(TimeSpan.Zero, estimate.BatchTime);

        estimate.Record(TimeSpan.FromMilliseconds(40), 4);

        Assert.Equal(new ServiceEstimate(TimeSpan.FromMilliseconds(40), 4), estimate.Current);
        Assert.Equal(TimeSpan.FromMilliseconds(80), estimate.Allowance);
    }

    [Fact]
    public void Record_LaterBatches_MoveTheEstimateAQuarterOfTheWay()
    {
        var estimate = new BatchDurationEstimate();
        estimate.Record(TimeSpan.FromMilliseconds(40), 4);
        estimate.Record(TimeSpan.FromMilliseconds(80), 8);

        Assert.Equal(new ServiceEstimate(TimeSpan.FromMilliseconds(50), 5), estimate.Current);
        // The spread moves a quarter of the way from 20 ms to this batch's distance from the old mean, 40 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(100), estimate.Allowance);
    }

    [Fact]
    public void Record_SteadyBatches_AllowanceShrinksToTheMean()
    {
        var estimate = new BatchDurationEstimate();
        for (var i = 0; i < 60; i++)
        {
            estimate.Record(TimeSpan.FromMilliseconds(30), 4);
        }

        Assert.InRange(estimate.Allowance.TotalMilliseconds, 30, 30.01);
    }
}
