using System.Text;
using GrainServe.Gpu;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GrainServe.Monitoring;

public sealed class HostMetricsTests
{
    [Fact]
    public void Write_GivesTritonsGpuFamiliesInTritonsUnits_PerGpuUuid()
    {
        var gpus = new ChangingGpus(new GpuStatus(0, "H100", "GPU-a", 80L << 30, 60L << 30, 37)
        {
            UsedMemoryBytes = 20L << 30,
            PowerWatts = 312.5,
            PowerLimitWatts = 700,
            EnergyJoules = 1_000_000,
        });
        var metrics = new HostMetrics(Catalog(gpus), gpus);
        gpus.Current = gpus.Current with { EnergyJoules = 1_000_450 };
        var text = Write(metrics);

        const string Labels = "gpu_uuid=\"GPU-a\",silo=\"node\"";
        Assert.Contains($"nv_gpu_utilization{{{Labels}}} 0.37\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_gpu_memory_total_bytes{{{Labels}}} {80L << 30}\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_gpu_memory_used_bytes{{{Labels}}} {20L << 30}\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_gpu_power_usage{{{Labels}}} 312.5\n", text, StringComparison.Ordinal);
        Assert.Contains($"nv_gpu_power_limit{{{Labels}}} 700\n", text, StringComparison.Ordinal);

        // Energy counts from this process's start (its first reading), as Triton's does.
        Assert.Contains($"nv_energy_consumption{{{Labels}}} 0\n", text, StringComparison.Ordinal);
        gpus.Current = gpus.Current with { EnergyJoules = 1_000_900 };
        Assert.Contains($"nv_energy_consumption{{{Labels}}} 450\n", Write(metrics), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OnAGpuWithoutPowerReadings_LeavesThoseFamiliesOut()
    {
        var gpus = new ChangingGpus(new GpuStatus(0, "T4", "GPU-b", 16L << 30, 15L << 30, 0));
        var text = Write(new HostMetrics(Catalog(gpus), gpus));

        Assert.Contains("nv_gpu_utilization{gpu_uuid=\"GPU-b\",silo=\"node\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nv_gpu_power_usage", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nv_energy_consumption", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WithoutDevices_GivesOnlyTheCpuFamilies()
    {
        var text = Write(new HostMetrics(null, null));

        Assert.DoesNotContain("nv_gpu_", text, StringComparison.Ordinal);
        if (File.Exists("/proc/stat"))
        {
            Assert.Contains("# TYPE nv_cpu_utilization gauge\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE nv_cpu_memory_used_bytes gauge\n", text, StringComparison.Ordinal);
        }
    }

    private static LocalDeviceCatalog Catalog(IGpuInfoProvider gpus) =>
        new(Options.Create(new DeviceOptions()), Options.Create(new SiloOptions { SiloName = "node" }), gpus, NullLogger<LocalDeviceCatalog>.Instance);

    private static string Write(HostMetrics metrics)
    {
        var text = new StringBuilder();
        metrics.Write(text, "node");
        return text.ToString();
    }

    private sealed class ChangingGpus(GpuStatus gpu) : IGpuInfoProvider
    {
        public GpuStatus Current { get; set; } = gpu;

        public bool IsAvailable => true;

        public IReadOnlyList<GpuStatus> GetGpus() => [Current];

        public GpuStatus? GetGpu(int index) => index == Current.Index ? Current : null;
    }
}
