namespace GrainServe.Gpu;

public sealed class DeviceSiloDemandTests
{
    [Fact]
    public void NoDevices_WantsOne()
    {
        var demand = DeviceSiloDemand.Compute([], 0);

        Assert.Equal(0, demand.DeviceSilos);
        Assert.Equal(1, demand.DesiredDeviceSilos);
    }

    [Fact]
    public void UnplacedMemory_WantsSilosForWhatIsLoadedPlusWhatDidNotFit()
    {
        // Two silos of 100 bytes each hold 150; 80 more did not fit anywhere: 230 bytes want 3 silos.
        var demand = DeviceSiloDemand.Compute([Device("a/gpu0", used: 90), Device("b/gpu0", used: 60)], unplacedBytes: 80);

        Assert.Equal(2, demand.DeviceSilos);
        Assert.Equal(3, demand.MemoryNeed);
        Assert.Equal(3, demand.DesiredDeviceSilos);
    }

    [Fact]
    public void Backlog_WantsSilosToKeepRequestsPerDeviceUnderTheTarget()
    {
        // 100 requests over silos of one device each, at most 32 per device: 4 silos.
        var demand = DeviceSiloDemand.Compute([Device("a/gpu0", pending: 60), Device("b/gpu0", pending: 40)], 0);

        Assert.Equal(4, demand.LoadNeed);
        Assert.Equal(4, demand.DesiredDeviceSilos);
    }

    [Fact]
    public void IdleCluster_WantsFewerSilosThanItHas()
    {
        // Three silos with two devices each and one small model loaded: one silo holds it.
        var devices = new[] { "a", "b", "c" }.SelectMany(s => new[] { Device($"{s}/gpu0", used: s == "a" ? 10 : 0), Device($"{s}/gpu1") }).ToList();

        var demand = DeviceSiloDemand.Compute(devices, 0);

        Assert.Equal(3, demand.DeviceSilos);
        Assert.Equal(1, demand.DesiredDeviceSilos);
    }

    private static DeviceInfo Device(string key, long used = 0, int pending = 0) => new()
    {
        Key = key,
        Kind = DeviceKind.Gpu,
        Name = "test",
        Uuid = key,
        BudgetBytes = 100,
        UsedBytes = used,
        PendingRequests = pending,
    };
}
