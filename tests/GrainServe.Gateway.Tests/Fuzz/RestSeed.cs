namespace GrainServe.Gateway.Fuzz;

/// <summary>A valid request for one route, the start of every mutation: a JSON body (or none) and, for the binary tensor extension, the raw tensor bytes after it.</summary>
internal sealed record RestSeed(string Method, string Path, string? Json, byte[]? Tail = null)
{
    public override string ToString() => $"{Method} {Path}";
}
