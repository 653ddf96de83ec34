using GrainServe.Gpu;

namespace GrainServe.Models;

public sealed class DeviceRankingTests
{
    [Fact]
    public void MoreMemoryFree_ComesFirst_AsAShareOfTheBudget()
    {
        // b has fewer bytes free but a larger share of its (smaller) budget.
        var order = DeviceRanking.Order([Device("a", budget: 1000, used: 600), Device("b", budget: 100, used: 10)], new Random(1));

        Assert.Equal(["b", "a"], order.Select(d => d.Key));
    }

    [Fact]
    public void SameMemoryBand_FewerInstancesOfAnyModelFirst_ThenLessLoad()
    {
        var order = DeviceRanking.Order(
            [Device("busy", instances: 3), Device("idle", instances: 1, pending: 9), Device("quiet", instances: 1, pending: 0)],
            new Random(1));

        Assert.Equal(["quiet", "idle", "busy"], order.Select(d => d.Key));
    }

    [Fact]
    public void EqualDevices_AreTriedInRandomOrder_SoConcurrentPlacementsSpread()
    {
        var random = new Random(5);
        var firsts = Enumerable.Range(0, 2000).Select(_ => DeviceRanking.Order([Device("a"), Device("b")], random)[0].Key).ToList();

        // 1000 each expected; sigma about 22, so 5 sigma is 112.
        Assert.InRange(firsts.Count(k => k == "a"), 888, 1112);
    }

    private static DeviceInfo Device(string key, long budget = 100, long used = 0, int instances = 0, int pending = 0) => new()
    {
        Key = key,
        Kind = DeviceKind.Cpu,
        Name = key,
        Uuid = key,
        BudgetBytes = budget,
        UsedBytes = used,
        InstanceCount = instances,
        PendingRequests = pending,
    };
}
