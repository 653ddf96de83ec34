using GrainServe.Contracts;

namespace GrainServe.Routing;

public sealed class DeadlineRoutingTests
{
    private static readonly ServiceEstimate Batch4Of50Ms = new(TimeSpan.FromMilliseconds(50), 4);

    [Theory]
    [InlineData(0, 50)]
    [InlineData(3, 50)]
    [InlineData(4, 100)]
    [InlineData(11, 150)]
    public void TimeToAnswer_IsTheBatchesAheadAndItsOwn(int inFlight, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), InstancePicker.TimeToAnswer(inFlight, Batch4Of50Ms));
    }

    [Fact]
    public void PickForDeadline_OnlyOneQueueCanMeetIt_TakesThatOneEvenWhenBusier()
    {
        // Instance 0 is idle but slow (a 500 ms batch); instance 1 has 6 in flight at 50 ms per batch of 4: 100 ms.
        var loads = new List<(int, ServiceEstimate?)> { (0, new ServiceEstimate(TimeSpan.FromMilliseconds(500), 1)), (6, Batch4Of50Ms) };
        var random = new Random(5);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(1, InstancePicker.PickForDeadline(loads, TimeSpan.FromMilliseconds(200), random));
        }
    }

    [Fact]
    public void PickForDeadline_NoFiguresYet_CountsAsAble()
    {
        var loads = new List<(int, ServiceEstimate?)> { (40, Batch4Of50Ms), (9, null) };
        Assert.Equal(1, InstancePicker.PickForDeadline(loads, TimeSpan.FromMilliseconds(100), new Random(1)));
    }

    [Fact]
    public void PickForDeadline_NoneOrAllCanMeetIt_IsThePowerOfTwoChoices()
    {
        var none = new List<(int, ServiceEstimate?)> { (40, Batch4Of50Ms), (80, Batch4Of50Ms) };
        var all = new List<(int, ServiceEstimate?)> { (3, Batch4Of50Ms), (1, Batch4Of50Ms) };
        Assert.Equal(0, InstancePicker.PickForDeadline(none, TimeSpan.FromMilliseconds(10), new Random(1)));
        Assert.Equal(1, InstancePicker.PickForDeadline(all, TimeSpan.FromSeconds(10), new Random(1)));
        Assert.Equal(-1, InstancePicker.PickForDeadline([], TimeSpan.FromSeconds(1), new Random(1)));
    }
}
