namespace GrainServe.Models;

/// <summary>One served version of a model in a <see cref="RoutingTable"/>.</summary>
[GenerateSerializer, Immutable, Alias("GrainServe.RoutedVersion")]
public sealed record RoutedVersion
{
    /// <summary>The version number, as its folder is named.</summary>
    [Id(0)] public required string Version { get; init; }

    /// <summary>Ready when it can serve: it has instances, or it scales from zero on demand.</summary>
    [Id(1)] public required ModelReadyState State { get; init; }

    /// <summary>Why it is not ready; null when it is.</summary>
    [Id(2)] public string? Reason { get; init; }

    /// <summary>The model kind of its effective config (<see cref="ModelKinds"/>); null before it first loaded.</summary>
    [Id(3)] public string? ModelKind { get; init; }

    /// <summary>Its instances: where requests go.</summary>
    [Id(4)] public required RoutedInstance[] Instances { get; init; }

    /// <summary>
    /// Its share of the traffic of requests that name no version, proportional to the others' (0: loaded and warm, but
    /// takes none); null for every version when the model has no traffic split (the newest ready version serves).
    /// </summary>
    [Id(5)] public int? Weight { get; init; }

    /// <summary>
    /// True for a version autoscaled with <c>min_instances</c> 0: ready with no instance means scaled to zero, and a
    /// request for it asks the model grain (<see cref="IModelGrain.Recover"/>) to load one and waits for it, a cold start.
    /// </summary>
    [Id(10)] public bool ScalesFromZero { get; init; }
}
