namespace GrainServe.Models;

/// <summary>One instance of a model as its model grain reports it to operators (<see cref="IModelGrain.GetInstances"/>).</summary>
[GenerateSerializer, Immutable, Alias("GrainServe.ModelInstanceStatus")]
public sealed record ModelInstanceStatus
{
    /// <summary>The version it serves.</summary>
    [Id(0)] public required string Version { get; init; }

    /// <summary>The key of the GPU grain that holds it (<c>{siloName}/{deviceId}</c>).</summary>
    [Id(1)] public required string DeviceKey { get; init; }

    /// <summary>Its id on that device.</summary>
    [Id(2)] public required string InstanceId { get; init; }

    /// <summary>
    /// <c>Ready</c>: requests are routed to it. <c>Unloading</c>: a scale-down took it out of routing and it finishes the
    /// requests it has. <c>Unavailable</c>: its device did not answer.
    /// </summary>
    [Id(3)] public required ModelReadyState State { get; init; }

    /// <summary>Requests queued or running on it (for a generation model, sequences waiting or running); 0 when its device did not answer.</summary>
    [Id(4)] public int Pending { get; init; }

    /// <summary>The memory charged to its device's budget, in bytes.</summary>
    [Id(5)] public long MemoryBytes { get; init; }
}
