namespace GrainServe.Gpu;

/// <summary>
/// A device and its current figures, as its GPU grain reports them.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.DeviceInfo")]
public sealed record DeviceInfo
{
    /// <summary>The GPU grain's key, <c>{siloName}/{deviceId}</c>.</summary>
    [Id(0)] public required string Key { get; init; }

    /// <summary>CPU or GPU.</summary>
    [Id(1)] public required DeviceKind Kind { get; init; }

    /// <summary>The device's name, for example <c>NVIDIA H100 80GB HBM3</c> or <c>cpu0</c>.</summary>
    [Id(2)] public required string Name { get; init; }

    /// <summary>The NVIDIA UUID of a GPU; for a CPU device, a stable id made from the silo and index.</summary>
    [Id(3)] public required string Uuid { get; init; }

    /// <summary>Total device memory in bytes (for a CPU device, its configured budget).</summary>
    [Id(4)] public long TotalMemoryBytes { get; init; }

    /// <summary>The bytes this device may give to model instances.</summary>
    [Id(5)] public long BudgetBytes { get; init; }

    /// <summary>The bytes held by the model instances loaded on this device.</summary>
    [Id(6)] public long UsedBytes { get; init; }

    /// <summary>GPU utilization in percent over NVML's last sample period; 0 for a CPU device.</summary>
    [Id(7)] public int UtilizationPercent { get; init; }

    /// <summary>How many model instances are loaded.</summary>
    [Id(8)] public int InstanceCount { get; init; }

    /// <summary>Requests queued plus running on this device's instances.</summary>
    [Id(9)] public int PendingRequests { get; init; }

    /// <summary>Free memory in bytes as NVML reports it for a GPU; for a CPU device, the budget left.</summary>
    [Id(10)] public long FreeMemoryBytes { get; init; }

    /// <summary>Batches this device's current instances have run since they were loaded.</summary>
    [Id(11)] public long ExecutedBatches { get; init; }

    /// <summary>True while the device's silo shuts down: it finishes what it has queued and takes no new instances.</summary>
    [Id(12)] public bool Draining { get; init; }

    /// <summary>The bytes still free for new instances: <see cref="BudgetBytes"/> minus <see cref="UsedBytes"/>.</summary>
    public long AvailableBytes => Math.Max(0, BudgetBytes - UsedBytes);
}
