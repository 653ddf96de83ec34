namespace GrainServe.Models;

/// <summary>
/// What a gateway needs to route a model's requests itself, straight to the GPU grains: the model's versions with their
/// states and instances. The model grain hands it out and bumps <see cref="Revision"/> whenever any of it changes;
/// gateways cache it and ask again every half second. A stale table is safe: a request sent to an instance that is gone
/// is answered not ready by its device (or not delivered at all) and the gateway fails over.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.RoutingTable")]
public sealed record RoutingTable
{
    /// <summary>The model's name.</summary>
    [Id(0)] public required string Model { get; init; }

    /// <summary>Grows by one with every change of the table's content; a gateway passes back the one it holds.</summary>
    [Id(1)] public required long Revision { get; init; }

    /// <summary>Every version number in the repository, served or not (a request may name any of them).</summary>
    [Id(2)] public required long[] KnownVersions { get; init; }

    /// <summary>The versions the model serves (its version policy's, and any its traffic weights name), newest first.</summary>
    [Id(3)] public required RoutedVersion[] Versions { get; init; }

    /// <summary>The request header whose value pins a caller to one version (<c>traffic.sticky_header</c>); null for none.</summary>
    [Id(4)] public string? StickyHeader { get; init; }

    /// <summary>The version that also gets a copy of a share of the requests, whose answers are discarded; null for none.</summary>
    [Id(5)] public MirrorConfig? Mirror { get; init; }
}
