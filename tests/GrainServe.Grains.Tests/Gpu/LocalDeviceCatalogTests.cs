using Microsoft.Extensions.Logging.Abstractions;

namespace GrainServe.Gpu;

public sealed class LocalDeviceCatalogTests
{
    private sealed class FakeGpus(params GpuStatus[] gpus) : IGpuInfoProvider
    {
        public bool IsAvailable => gpus.Length > 0;

        public IReadOnlyList<GpuStatus> GetGpus() => gpus;

        public GpuStatus? GetGpu(int index) => gpus.FirstOrDefault(g => g.Index == index);
    }

    [Fact]
    public void Discover_Gpus_OneDevicePerGpuWithFreeMemoryMinusReserveAsBudget()
    {
        var gpus = new FakeGpus(new GpuStatus(0, "H100", "GPU-a", 80L << 30, 79L << 30, 3), new GpuStatus(1, "H100", "GPU-b", 80L << 30, 40L << 30, 0));

        var devices = LocalDeviceCatalog.Discover(new DeviceOptions { GpuMemoryReserveBytes = 1L << 30 }, "node", gpus);

        Assert.Equal(["gpu0", "gpu1"], devices.Select(d => d.DeviceId));
        Assert.All(devices, d => Assert.Equal(DeviceKind.Gpu, d.Kind));
        Assert.Equal(78L << 30, devices[0].BudgetBytes);
        Assert.Equal(39L << 30, devices[1].BudgetBytes);
        Assert.Equal("GPU-b", devices[1].Uuid);
    }

    [Fact]
    public void Discover_NoGpu_FallsBackToConfiguredCpuDevices()
    {
        var devices = LocalDeviceCatalog.Discover(new DeviceOptions { CpuDevices = 2, CpuMemoryBudgetBytes = 1000 }, "node", new FakeGpus());

        Assert.Equal(["cpu0", "cpu1"], devices.Select(d => d.DeviceId));
        Assert.All(devices, d => Assert.Equal(1000, d.BudgetBytes));
        Assert.Equal("CPU-node-1", devices[1].Uuid);
    }

    [Fact]
    public void Discover_GpusDisabled_UsesCpuDevices()
    {
        var gpus = new FakeGpus(new GpuStatus(0, "H100", "GPU-a", 80L << 30, 79L << 30, 0));
        var devices = LocalDeviceCatalog.Discover(new DeviceOptions { UseGpus = false }, "node", gpus);
        Assert.Equal(DeviceKind.Cpu, Assert.Single(devices).Kind);
    }

    [Fact]
    public void NvmlProvider_MachineWithoutDriver_ReportsNoGpuAndDoesNotThrow()
    {
        using var nvml = new NvmlGpuInfoProvider(NullLogger<NvmlGpuInfoProvider>.Instance);
        if (nvml.IsAvailable)
        {
            // On a GPU machine, every GPU must have a name, a UUID and memory figures.
            Assert.All(nvml.GetGpus(), g => Assert.True(g.Name.Length > 0 && g.Uuid.StartsWith("GPU-", StringComparison.Ordinal) && g.TotalMemoryBytes > 0));
        }
        else
        {
            Assert.Empty(nvml.GetGpus());
            Assert.Null(nvml.GetGpu(0));
        }
    }
}
