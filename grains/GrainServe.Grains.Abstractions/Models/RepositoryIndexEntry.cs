namespace GrainServe.Models;

/// <summary>One line of the repository index (Triton's <c>ModelIndex</c>): a model version and its state.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">The version; empty for a model none of whose versions has been tried.</param>
/// <param name="State">The state in Triton's spelling: READY, UNAVAILABLE, LOADING, UNLOADING, or empty when unknown.</param>
/// <param name="Reason">Why it is not ready; empty when it is.</param>
[GenerateSerializer, Immutable, Alias("GrainServe.RepositoryIndexEntry")]
public sealed record RepositoryIndexEntry(
    [property: Id(0)] string Name,
    [property: Id(1)] string Version,
    [property: Id(2)] string State,
    [property: Id(3)] string Reason);
