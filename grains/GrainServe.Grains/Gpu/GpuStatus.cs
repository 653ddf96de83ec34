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
public sealed record GpuStatus(int Index, string Name, string Uuid, long TotalMemoryBytes, long FreeMemoryBytes, int UtilizationPercent);
