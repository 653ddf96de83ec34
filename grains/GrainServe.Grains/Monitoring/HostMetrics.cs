using System.Collections.Concurrent;
using System.Text;
using GrainServe.Gpu;

namespace GrainServe.Monitoring;

/// <summary>
/// Triton's per-device families: <c>nv_gpu_*</c> and <c>nv_energy_consumption</c> for this silo's GPUs (label
/// <c>gpu_uuid</c>, read from NVML at scrape time), and <c>nv_cpu_*</c> for the machine. Units as Triton's: utilization
/// 0–1, power in watts, energy in joules since this process started.
/// </summary>
public sealed class HostMetrics
{
    private readonly LocalDeviceCatalog? _catalog;
    private readonly IGpuInfoProvider? _gpus;
    private readonly ConcurrentDictionary<string, double> _energyAtStart = new(StringComparer.Ordinal);
    private readonly Lock _cpuLock = new();
    private (ulong Busy, ulong Total)? _lastCpu;

    /// <summary>A silo without devices passes nulls: it reports the CPU only.</summary>
    public HostMetrics(LocalDeviceCatalog? catalog, IGpuInfoProvider? gpus)
    {
        _catalog = catalog;
        _gpus = gpus;
        _lastCpu = ProcStat.ReadCpu();
    }

    /// <summary>Writes the GPU and CPU families, each series labelled <c>silo</c>.</summary>
    public void Write(StringBuilder text, string silo)
    {
        var siloLabel = PrometheusText.Label("silo", silo);
        WriteGpus(text, siloLabel);
        WriteCpu(text, siloLabel);
    }

    private void WriteGpus(StringBuilder text, string siloLabel)
    {
        if (_catalog is null || _gpus is not { IsAvailable: true })
        {
            return;
        }

        var gpus = _catalog.Devices.Where(d => d.Kind == DeviceKind.Gpu).Select(d => _gpus.GetGpu(d.Index)).OfType<GpuStatus>().ToList();
        if (gpus.Count == 0)
        {
            return;
        }

        string Labels(GpuStatus gpu) => $"{PrometheusText.Label("gpu_uuid", gpu.Uuid)},{siloLabel}";
        Gauge(text, gpus, "nv_gpu_utilization", "GPU utilization rate [0.0 - 1.0)", Labels, g => g.UtilizationPercent / 100.0);
        Gauge(text, gpus, "nv_gpu_memory_total_bytes", "GPU total memory, in bytes", Labels, g => g.TotalMemoryBytes);
        Gauge(text, gpus, "nv_gpu_memory_used_bytes", "GPU used memory, in bytes", Labels, g => g.UsedMemoryBytes ?? g.TotalMemoryBytes - g.FreeMemoryBytes);
        Gauge(text, [.. gpus.Where(g => g.PowerWatts is not null)], "nv_gpu_power_usage", "GPU power usage in watts", Labels, g => g.PowerWatts!.Value);
        Gauge(text, [.. gpus.Where(g => g.PowerLimitWatts is not null)], "nv_gpu_power_limit", "GPU power management limit in watts", Labels, g => g.PowerLimitWatts!.Value);
        var energy = gpus.Where(g => g.EnergyJoules is not null).ToList();
        if (energy.Count > 0)
        {
            PrometheusText.Family(text, "nv_energy_consumption", "counter", "GPU energy consumption in joules since the server started");
            foreach (var gpu in energy)
            {
                var start = _energyAtStart.GetOrAdd(gpu.Uuid, gpu.EnergyJoules!.Value);
                PrometheusText.Sample(text, "nv_energy_consumption", Labels(gpu), gpu.EnergyJoules!.Value - start);
            }
        }
    }

    private void WriteCpu(StringBuilder text, string siloLabel)
    {
        if (ProcStat.ReadCpu() is { } now)
        {
            double utilization;
            lock (_cpuLock)
            {
                var last = _lastCpu ?? (0, 0);
                var total = now.Total - last.Total;
                utilization = total == 0 ? 0 : (double)(now.Busy - last.Busy) / total;
                _lastCpu = now;
            }

            PrometheusText.Family(text, "nv_cpu_utilization", "gauge", "CPU utilization rate [0.0 - 1.0]");
            PrometheusText.Sample(text, "nv_cpu_utilization", siloLabel, Math.Clamp(utilization, 0, 1));
        }

        if (ProcStat.ReadMemory() is { } memory)
        {
            PrometheusText.Family(text, "nv_cpu_memory_total_bytes", "gauge", "CPU total memory (RAM), in bytes");
            PrometheusText.Sample(text, "nv_cpu_memory_total_bytes", siloLabel, memory.Total);
            PrometheusText.Family(text, "nv_cpu_memory_used_bytes", "gauge", "CPU used memory (RAM), in bytes");
            PrometheusText.Sample(text, "nv_cpu_memory_used_bytes", siloLabel, memory.Used);
        }
    }

    private static void Gauge(StringBuilder text, List<GpuStatus> gpus, string name, string help, Func<GpuStatus, string> labels, Func<GpuStatus, double> value)
    {
        if (gpus.Count == 0)
        {
            return;
        }

        PrometheusText.Family(text, name, "gauge", help);
        foreach (var gpu in gpus)
        {
            PrometheusText.Sample(text, name, labels(gpu), value(gpu));
        }
    }
}
