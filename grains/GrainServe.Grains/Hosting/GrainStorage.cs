namespace GrainServe.Hosting;

/// <summary>The grain storage GrainServe keeps state in, registered on every silo (Redis in a cluster, memory embedded).</summary>
public static class GrainStorage
{
    /// <summary>The storage provider's name.</summary>
    public const string Name = "grainserve";
}
