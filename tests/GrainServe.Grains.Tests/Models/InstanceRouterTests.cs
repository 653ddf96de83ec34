namespace GrainServe.Models;

public sealed class InstanceRouterTests
{
    [Fact]
    public void PickLeastLoaded_OneLeastLoaded_PicksIt()
    {
        Assert.Equal(2, InstanceRouter.PickLeastLoaded([3, 1, 0, 5], new Random(1)));
    }

    [Fact]
    public void PickLeastLoaded_Empty_ReturnsMinusOne()
    {
        Assert.Equal(-1, InstanceRouter.PickLeastLoaded([], new Random(1)));
    }

    [Fact]
    public void PickLeastLoaded_Ties_SpreadsOverAllTiedEntries()
    {
        var random = new Random(42);
        var counts = new int[4];
        for (var i = 0; i < 4000; i++)
        {
            counts[InstanceRouter.PickLeastLoaded([2, 1, 1, 1], random)]++;
        }

        Assert.Equal(0, counts[0]);
        Assert.All(counts[1..], c => Assert.InRange(c, 1100, 1560));
    }

    [Fact]
    public void PickForGeneration_FewestSequencesFirst_ThenMostFreeKv()
    {
        Assert.Equal(1, InstanceRouter.PickForGeneration([3, 1, 2], [0.0, 0.9, 0.1], new Random(1)));
        Assert.Equal(2, InstanceRouter.PickForGeneration([2, 1, 1], [0.0, 0.7, 0.2], new Random(1)));
        Assert.Equal(-1, InstanceRouter.PickForGeneration([], [], new Random(1)));
    }

    [Fact]
    public void PickForGeneration_FullTies_SpreadsOverThem()
    {
        var random = new Random(7);
        var counts = new int[3];
        for (var i = 0; i < 3000; i++)
        {
            counts[InstanceRouter.PickForGeneration([1, 1, 1], [0.5, 0.5, 0.5], random)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }
}
