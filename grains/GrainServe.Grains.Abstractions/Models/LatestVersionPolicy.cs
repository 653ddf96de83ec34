namespace GrainServe.Models;

/// <summary>The <c>latest</c> version policy.</summary>
[GenerateSerializer, Alias("GrainServe.LatestVersionPolicy")]
public sealed class LatestVersionPolicy
{
    /// <summary>How many of the newest versions to serve. Default 1.</summary>
    [Id(0)] public int NumVersions { get; set; } = 1;
}
