namespace GrainServe.Models;

/// <summary>The <c>specific</c> version policy.</summary>
[GenerateSerializer, Alias("GrainServe.SpecificVersionPolicy")]
public sealed class SpecificVersionPolicy
{
    /// <summary>The versions to serve.</summary>
    [Id(0)] public long[] Versions { get; set; } = [];
}
