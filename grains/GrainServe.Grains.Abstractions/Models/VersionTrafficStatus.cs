namespace GrainServe.Models;

/// <summary>One version in a <see cref="TrafficStatus"/>.</summary>
[GenerateSerializer, Immutable, Alias("GrainServe.VersionTrafficStatus")]
public sealed record VersionTrafficStatus
{
    /// <summary>The version number.</summary>
    [Id(0)] public required string Version { get; init; }

    /// <summary>Its weight in force; null when the model has no split.</summary>
    [Id(1)] public int? Weight { get; init; }

    /// <summary>Its readiness.</summary>
    [Id(2)] public required ModelReadyState State { get; init; }

    /// <summary>Requests the gateways sent it (mirrored copies excluded).</summary>
    [Id(3)] public long Requests { get; init; }

    /// <summary>Of those, the ones that failed on the server's side.</summary>
    [Id(4)] public long Errors { get; init; }

    /// <summary>Mirrored copies it received.</summary>
    [Id(5)] public long Mirrored { get; init; }

    /// <summary>Why the automatic canary analysis set its weight to 0; null when it did not.</summary>
    [Id(6)] public string? RolledBack { get; init; }

    /// <summary>Its p99 latency over the analysis window, in milliseconds; null without requests in the window.</summary>
    [Id(7)] public double? P99Milliseconds { get; init; }
}
