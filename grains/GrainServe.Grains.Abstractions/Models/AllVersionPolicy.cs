namespace GrainServe.Models;

/// <summary>The <c>all</c> version policy; it has no fields.</summary>
[GenerateSerializer, Alias("GrainServe.AllVersionPolicy")]
public sealed class AllVersionPolicy
{
}
