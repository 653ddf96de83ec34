using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace GrainServe.Gpu;

/// <summary>
/// Reads GPUs through NVML (<c>libnvidia-ml.so.1</c>, installed with the NVIDIA driver), called by
/// P/Invoke through function pointers so that a machine without the library just has no GPUs.
/// </summary>
public sealed unsafe partial class NvmlGpuInfoProvider : IGpuInfoProvider, IDisposable
{
    private const int Success = 0;
    private const int NameLength = 96;
    private const int UuidLength = 96;

    private readonly ILogger<NvmlGpuInfoProvider> _logger;
    private readonly IntPtr _library;
    private readonly delegate* unmanaged<int> _shutdown;
    private readonly delegate* unmanaged<uint*, int> _getCount;
    private readonly delegate* unmanaged<uint, IntPtr*, int> _getHandle;
    private readonly delegate* unmanaged<IntPtr, byte*, uint, int> _getName;
    private readonly delegate* unmanaged<IntPtr, byte*, uint, int> _getUuid;
    private readonly delegate* unmanaged<IntPtr, NvmlMemory*, int> _getMemory;
    private readonly delegate* unmanaged<IntPtr, NvmlUtilization*, int> _getUtilization;

    // Power and energy are optional in NVML (older GPUs, some MIG setups, older drivers): missing ones read as null.
    private readonly delegate* unmanaged<IntPtr, uint*, int> _getPowerUsage;
    private readonly delegate* unmanaged<IntPtr, uint*, int> _getPowerLimit;
    private readonly delegate* unmanaged<IntPtr, ulong*, int> _getEnergy;

    /// <summary>Loads NVML if the machine has it; logs why not otherwise.</summary>
    public NvmlGpuInfoProvider(ILogger<NvmlGpuInfoProvider> logger)
    {
        _logger = logger;
        if (!NativeLibrary.TryLoad("libnvidia-ml.so.1", out _library) && !NativeLibrary.TryLoad("nvml", out _library))
        {
            LogNvmlUnavailable(_logger, "libnvidia-ml.so.1 was not found (no NVIDIA driver)");
            return;
        }

        try
        {
            var init = (delegate* unmanaged<int>)NativeLibrary.GetExport(_library, "nvmlInit_v2");
            _shutdown = (delegate* unmanaged<int>)NativeLibrary.GetExport(_library, "nvmlShutdown");
            _getCount = (delegate* unmanaged<uint*, int>)NativeLibrary.GetExport(_library, "nvmlDeviceGetCount_v2");
            _getHandle = (delegate* unmanaged<uint, IntPtr*, int>)NativeLibrary.GetExport(_library, "nvmlDeviceGetHandleByIndex_v2");
            _getName = (delegate* unmanaged<IntPtr, byte*, uint, int>)NativeLibrary.GetExport(_library, "nvmlDeviceGetName");
            _getUuid = (delegate* unmanaged<IntPtr, byte*, uint, int>)NativeLibrary.GetExport(_library, "nvmlDeviceGetUUID");
            _getMemory = (delegate* unmanaged<IntPtr, NvmlMemory*, int>)NativeLibrary.GetExport(_library, "nvmlDeviceGetMemoryInfo");
            _getUtilization = (delegate* unmanaged<IntPtr, NvmlUtilization*, int>)NativeLibrary.GetExport(_library, "nvmlDeviceGetUtilizationRates");
            _getPowerUsage = (delegate* unmanaged<IntPtr, uint*, int>)Optional("nvmlDeviceGetPowerUsage");
            _getPowerLimit = (delegate* unmanaged<IntPtr, uint*, int>)Optional("nvmlDeviceGetPowerManagementLimit");
            _getEnergy = (delegate* unmanaged<IntPtr, ulong*, int>)Optional("nvmlDeviceGetTotalEnergyConsumption");
            var status = init();
            if (status != Success)
            {
                LogNvmlUnavailable(_logger, $"nvmlInit_v2 returned {status}");
                return;
            }

            IsAvailable = true;
        }
        catch (EntryPointNotFoundException ex)
        {
            LogNvmlUnavailable(_logger, ex.Message);
        }
    }

    /// <inheritdoc />
    public bool IsAvailable { get; }

    /// <inheritdoc />
    public IReadOnlyList<GpuStatus> GetGpus()
    {
        if (!IsAvailable)
        {
            return [];
        }

        uint count;
        if (_getCount(&count) != Success)
        {
            return [];
        }

        var gpus = new List<GpuStatus>((int)count);
        for (var i = 0; i < count; i++)
        {
            if (GetGpu(i) is { } gpu)
            {
                gpus.Add(gpu);
            }
        }

        return gpus;
    }

    /// <inheritdoc />
    public GpuStatus? GetGpu(int index)
    {
        if (!IsAvailable)
        {
            return null;
        }

        IntPtr device;
        if (_getHandle((uint)index, &device) != Success)
        {
            return null;
        }

        var name = stackalloc byte[NameLength];
        var uuid = stackalloc byte[UuidLength];
        NvmlMemory memory;
        NvmlUtilization utilization;
        if (_getName(device, name, NameLength) != Success || _getUuid(device, uuid, UuidLength) != Success || _getMemory(device, &memory) != Success)
        {
            return null;
        }

        // Utilization is not supported on every GPU (some MIG setups); report 0 rather than hide the device.
        var busy = _getUtilization(device, &utilization) == Success ? (int)utilization.Gpu : 0;
        uint milliwatts;
        uint limitMilliwatts;
        ulong millijoules;
        return new GpuStatus(index, CString(name, NameLength), CString(uuid, UuidLength), (long)memory.Total, (long)memory.Free, busy)
        {
            UsedMemoryBytes = (long)memory.Used,
            PowerWatts = _getPowerUsage != null && _getPowerUsage(device, &milliwatts) == Success ? milliwatts / 1000.0 : null,
            PowerLimitWatts = _getPowerLimit != null && _getPowerLimit(device, &limitMilliwatts) == Success ? limitMilliwatts / 1000.0 : null,
            EnergyJoules = _getEnergy != null && _getEnergy(device, &millijoules) == Success ? millijoules / 1000.0 : null,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (IsAvailable)
        {
            _shutdown();
        }
    }

    private IntPtr Optional(string export) => NativeLibrary.TryGetExport(_library, export, out var address) ? address : IntPtr.Zero;

    private static string CString(byte* text, int capacity)
    {
        var span = new ReadOnlySpan<byte>(text, capacity);
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    [LoggerMessage(EventId = EventIds.NvmlUnavailable, EventName = nameof(EventIds.NvmlUnavailable), Level = LogLevel.Information,
        Message = "NVML is unavailable, so this silo has no GPUs and uses CPU devices: {Reason}")]
    private static partial void LogNvmlUnavailable(ILogger logger, string reason);

    // nvmlMemory_t: unsigned long long total, free, used.
    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    // nvmlUtilization_t: unsigned int gpu, memory.
    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlUtilization
    {
        public uint Gpu;
        public uint Memory;
    }
}
