namespace GrainServe.Models;

/// <summary>
/// A model's traffic policy as grain state, not a cache: weights set at run time and the canary analysis's verdicts and
/// promotion steps survive the model grain's reactivation and the loss of its silo (grain storage: Redis in a cluster,
/// memory in the embedded default).
/// </summary>
[GenerateSerializer, Alias("GrainServe.TrafficState")]
public sealed class TrafficState
{
    /// <summary>The weights in force when set at run time (PUT, a rollback, a promotion step); null: config.json's.</summary>
    [Id(0)] public Dictionary<string, int>? Weights { get; set; }

    /// <summary>Canaries the analysis rolled back, with the reason; cleared for a version an operator gives weight again.</summary>
    [Id(1)] public Dictionary<string, string> RolledBack { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the weights last changed by a promotion step (or were set), the start of the next step's wait.</summary>
    [Id(2)] public DateTimeOffset LastStep { get; set; }
}
