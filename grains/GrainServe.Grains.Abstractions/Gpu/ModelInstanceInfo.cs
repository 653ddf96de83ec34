namespace GrainServe.Gpu;

/// <summary>
/// A model instance: one loaded copy of one model version on one device.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.ModelInstanceInfo")]
public sealed record ModelInstanceInfo
{
    /// <summary>The instance's id, unique on its device.</summary>
    [Id(0)] public required string InstanceId { get; init; }

    /// <summary>The model's name.</summary>
    [Id(1)] public required string ModelName { get; init; }

    /// <summary>The model version loaded.</summary>
    [Id(2)] public required string ModelVersion { get; init; }

    /// <summary>The key of the GPU grain that holds it.</summary>
    [Id(3)] public required string DeviceKey { get; init; }

    /// <summary>The memory charged to the device's budget for this instance, in bytes.</summary>
    [Id(4)] public long MemoryBytes { get; init; }

    /// <summary>
    /// Requests queued or running on the instance (for a generation model, sequences waiting or running) when its device
    /// answered <see cref="IGpuGrain.GetInstances"/>; 0 in the info a load returns.
    /// </summary>
    [Id(5)] public int Pending { get; init; }
}
