namespace GrainServe.Monitoring;

public sealed class ProcStatTests
{
    [Fact]
    public void ParseCpu_CountsIdleAndIowaitAsIdle_AndLeavesGuestTimeInUserTime()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        var cpu = ProcStat.ParseCpu("cpu  100 10 50 800 40 0 0 0 30 0");

        Assert.Equal((160UL, 1000UL), cpu);
        Assert.Null(ProcStat.ParseCpu("intr 1 2 3"));
    }

    [Fact]
    public void ParseMemory_UsedIsTotalLessAvailable()
    {
        var memory = ProcStat.ParseMemory(["MemTotal:       16000000 kB", "MemFree:         1000000 kB", "MemAvailable:    6000000 kB"]);

        Assert.Equal((16000000L * 1024, 10000000L * 1024), memory);
        Assert.Null(ProcStat.ParseMemory(["MemTotal: 1 kB"]));
    }

    [Fact]
    public void ReadCpu_OnThisMachine_GivesBusyWithinTotal()
    {
        if (ProcStat.ReadCpu() is { } cpu)
        {
            Assert.InRange(cpu.Busy, 0UL, cpu.Total);
        }
    }
}
