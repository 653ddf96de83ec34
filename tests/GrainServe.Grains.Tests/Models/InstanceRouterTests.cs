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
}
