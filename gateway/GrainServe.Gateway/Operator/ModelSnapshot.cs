using GrainServe.Models;

namespace GrainServe.Gateway.Operator;

/// <summary>What the cluster says of one model, for the operator page's overview.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Versions">Its repository index lines: each version tried with its state and reason; one line with an empty version when none was tried yet.</param>
/// <param name="Traffic">Its traffic split and per-version figures; null when none of its versions was tried (asking would load it) or its grain could not say.</param>
/// <param name="Instances">Its instances with their devices, newest version first.</param>
/// <param name="Problem">Why part of it could not be read (its grain failed or is unreachable); null when all of it was.</param>
internal sealed record ModelSnapshot(
    string Name,
    IReadOnlyList<RepositoryIndexEntry> Versions,
    TrafficStatus? Traffic,
    IReadOnlyList<ModelInstanceStatus> Instances,
    string? Problem);
