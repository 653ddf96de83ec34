using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GrainServe.Gpu;

/// <summary>
/// The devices of this silo, discovered once at start: every NVIDIA GPU NVML reports, or, without one,
/// the configured number of CPU devices.
/// </summary>
public sealed partial class LocalDeviceCatalog
{
    /// <summary>Discovers the devices.</summary>
    public LocalDeviceCatalog(IOptions<DeviceOptions> options, IOptions<SiloOptions> silo, IGpuInfoProvider gpus, ILogger<LocalDeviceCatalog> logger)
    {
        SiloName = silo.Value.SiloName;
        Devices = Discover(options.Value, SiloName, gpus);
        LogDevicesDiscovered(logger, SiloName, Devices.Count, string.Join(", ", Devices.Select(d => $"{d.DeviceId} ({d.Name}, {d.BudgetBytes >> 20} MiB budget)")));
    }

    /// <summary>The silo's name, the first part of its GPU grain keys.</summary>
    public string SiloName { get; }

    /// <summary>The devices, GPUs first by index.</summary>
    public IReadOnlyList<LocalDevice> Devices { get; }

    /// <summary>The GPU grain key of a device of this silo.</summary>
    public string KeyOf(LocalDevice device) => DeviceKey.Format(SiloName, device.DeviceId);

    /// <summary>The device with id <paramref name="deviceId"/>, or null when this silo has none.</summary>
    public LocalDevice? Find(string deviceId) => Devices.FirstOrDefault(d => d.DeviceId == deviceId);

    internal static IReadOnlyList<LocalDevice> Discover(DeviceOptions options, string siloName, IGpuInfoProvider gpus)
    {
        var devices = new List<LocalDevice>();
        if (options.UseGpus)
        {
            foreach (var gpu in gpus.GetGpus())
            {
                var budget = Math.Max(0, gpu.FreeMemoryBytes - options.GpuMemoryReserveBytes);
                devices.Add(new LocalDevice($"gpu{gpu.Index}", DeviceKind.Gpu, gpu.Index, gpu.Name, gpu.Uuid, gpu.TotalMemoryBytes, budget));
            }
        }

        if (devices.Count == 0)
        {
            for (var i = 0; i < options.CpuDevices; i++)
            {
                var id = "cpu" + i.ToString(CultureInfo.InvariantCulture);
                devices.Add(new LocalDevice(id, DeviceKind.Cpu, i, id, $"CPU-{siloName}-{i}", options.CpuMemoryBudgetBytes, options.CpuMemoryBudgetBytes));
            }
        }

        return devices;
    }

    [LoggerMessage(EventId = EventIds.DevicesDiscovered, EventName = nameof(EventIds.DevicesDiscovered), Level = LogLevel.Information,
        Message = "Silo {SiloName} hosts {DeviceCount} device(s): {Devices}")]
    private static partial void LogDevicesDiscovered(ILogger logger, string siloName, int deviceCount, string devices);
}
