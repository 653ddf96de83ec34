namespace GrainServe.Gateway.DataPlane;

/// <summary>The protocol's server metadata.</summary>
/// <param name="Name">The server's name, <c>grainserve</c>.</param>
/// <param name="Version">The server's version.</param>
/// <param name="Extensions">The protocol extensions implemented, in Triton's spelling; only those really implemented.</param>
public sealed record ServerMetadata(string Name, string Version, IReadOnlyList<string> Extensions);
