namespace GrainServe.Gpu;

/// <summary>
/// A device of this silo, as discovered at start.
/// </summary>
/// <param name="DeviceId">The id within the silo: <c>gpu{index}</c> or <c>cpu{index}</c>.</param>
/// <param name="Kind">CPU or GPU.</param>
/// <param name="Index">The CUDA device id of a GPU; the ordinal of a CPU device.</param>
/// <param name="Name">The product name of a GPU; <c>cpu{index}</c> for a CPU device.</param>
/// <param name="Uuid">The NVIDIA UUID; for a CPU device, <c>CPU-{siloName}-{index}</c>.</param>
/// <param name="TotalMemoryBytes">The device's memory; for a CPU device, its configured budget.</param>
/// <param name="BudgetBytes">How many bytes model instances may take.</param>
public sealed record LocalDevice(string DeviceId, DeviceKind Kind, int Index, string Name, string Uuid, long TotalMemoryBytes, long BudgetBytes);
