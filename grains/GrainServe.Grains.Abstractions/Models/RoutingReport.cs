namespace GrainServe.Models;

/// <summary>
/// What one gateway tells a model grain each time it asks for the routing table: its requests in flight per version, the
/// load signal the model grain scales by now that requests no longer pass through it.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.RoutingReport")]
public sealed record RoutingReport
{
    /// <summary>The reporting gateway (its silo address): reports of one gateway replace each other, those of many add up.</summary>
    [Id(0)] public required string Gateway { get; init; }

    /// <summary>Requests (or generation streams) this gateway has in flight, queued or running, per version.</summary>
    [Id(1)] public required Dictionary<string, int> Ongoing { get; init; }

    /// <summary>What this gateway's requests did per version since its previous report: the canary analysis's input.</summary>
    [Id(2)] public Dictionary<string, VersionTrafficCounts>? Traffic { get; init; }
}
