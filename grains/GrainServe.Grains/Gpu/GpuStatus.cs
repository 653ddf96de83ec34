namespace GrainServe.Gpu;

/// <summary>
/// An NVIDIA GPU's figures as NVML reports them.
/// </summary>
/// <param name="Index">The NVML index, which is the CUDA device id when CUDA_VISIBLE_DEVICES is unset.</param>
/// <param name="Name">The product name.</param>
/// <param name="Uuid">The GPU's UUID, <c>GPU-…</c>.</param>
/// <param name="TotalMemoryBytes">Total device memory.</param>
/// <param name="FreeMemoryBytes">Memory not allocated by any process.</param>
/// <param name="UtilizationPercent">Percent of time over the last sample period a kernel was running.</param>
public sealed record GpuStatus(int Index, string Name, string Uuid, long TotalMemoryBytes, long FreeMemoryBytes, int UtilizationPercent)
{
    /// <summary>Memory allocated on the device, by every process; null when NVML did not say.</summary>
    public long? UsedMemoryBytes { get; init; }

    /// <summary>The board's power draw in watts; null on GPUs that do not report it.</summary>
    public double? PowerWatts { get; init; }

    /// <summary>The power management limit in watts; null on GPUs that do not report it.</summary>
    public double? PowerLimitWatts { get; init; }

    /// <summary>Energy used since the driver loaded, in joules; null on GPUs before Volta.</summary>
    public double? EnergyJoules { get; init; }
}
