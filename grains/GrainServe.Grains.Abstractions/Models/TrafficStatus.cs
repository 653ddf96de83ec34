namespace GrainServe.Models;

/// <summary>A model's traffic split as <c>GET /v2/models/{model}/traffic</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("GrainServe.TrafficStatus")]
public sealed record TrafficStatus
{
    /// <summary>The model's name.</summary>
    [Id(0)] public required string Model { get; init; }

    /// <summary>The weights in force (after any rollback); null when the model has no split.</summary>
    [Id(1)] public Dictionary<string, int>? Weights { get; init; }

    /// <summary>Where they come from: <c>config</c> (config.json's <c>traffic.weights</c>), <c>runtime</c> (set by PUT), or <c>none</c>.</summary>
    [Id(2)] public required string Source { get; init; }

    /// <summary>The request header that keeps a caller on one version; null for none.</summary>
    [Id(3)] public string? StickyHeader { get; init; }

    /// <summary>The mirrored version and share; null for none.</summary>
    [Id(4)] public MirrorConfig? Mirror { get; init; }

    /// <summary>Every served version with its figures since the model grain was activated.</summary>
    [Id(5)] public required VersionTrafficStatus[] Versions { get; init; }
}
