namespace GrainServe.Gpu;

/// <summary>
/// Reads the machine's NVIDIA GPUs. The default reads NVML; a machine without the NVIDIA driver has none.
/// </summary>
public interface IGpuInfoProvider
{
    /// <summary>True when the GPU library is loaded and answered; false on a machine without NVIDIA drivers.</summary>
    bool IsAvailable { get; }

    /// <summary>Every GPU, in index order; empty when <see cref="IsAvailable"/> is false.</summary>
    IReadOnlyList<GpuStatus> GetGpus();

    /// <summary>One GPU's current figures, or null when it cannot be read.</summary>
    GpuStatus? GetGpu(int index);
}
