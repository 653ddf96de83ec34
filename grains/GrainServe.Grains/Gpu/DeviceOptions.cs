namespace GrainServe.Gpu;

/// <summary>
/// Which devices a silo hosts and how much memory each may give to model instances.
/// </summary>
public sealed class DeviceOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Devices";

    /// <summary>
    /// Discover NVIDIA GPUs through NVML and host one GPU grain per GPU. When none is found the silo
    /// falls back to <see cref="CpuDevices"/> CPU devices. Default true.
    /// </summary>
    public bool UseGpus { get; set; } = true;

    /// <summary>
    /// CPU devices to host when the silo has no GPU (or <see cref="UseGpus"/> is false). Each runs its own
    /// ONNX Runtime sessions on the CPU provider. Default 1.
    /// </summary>
    public int CpuDevices { get; set; } = 1;

    /// <summary>The memory budget of each CPU device for model instances, in bytes. Default 4 GiB.</summary>
    public long CpuMemoryBudgetBytes { get; set; } = 4L << 30;

    /// <summary>
    /// Bytes of each GPU kept out of the budget for the CUDA context and ONNX Runtime's work buffers; the budget
    /// is NVML's free memory at start minus this. Ignored on CPU devices. Default 1 GiB.
    /// </summary>
    public long GpuMemoryReserveBytes { get; set; } = 1L << 30;

    /// <summary>
    /// How long after it loads an instance may not be evicted to make room for another model, however idle: two models
    /// taking turns on a device that fits one would otherwise unload each other on every request. Zero lets any idle
    /// instance go. Default 10 s (<see cref="EvictionPolicy.DefaultMinAge"/>).
    /// </summary>
    public TimeSpan EvictionMinAge { get; set; } = EvictionPolicy.DefaultMinAge;
}
