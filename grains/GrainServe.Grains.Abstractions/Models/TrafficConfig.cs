namespace GrainServe.Models;

/// <summary>
/// How a model's requests that name no version are split over its versions: weighted splits, sticky users, mirrored
/// (shadow) traffic and canaries that roll back or promote themselves. Requests that name a version always go to it.
/// </summary>
/// <remarks>
/// The <c>traffic</c> block of config.json. Absent, requests that name no version go to the newest ready version, as
/// Triton does. Versions are named as their folders are (<c>"2"</c>), because JSON object keys are strings.
/// </remarks>
[GenerateSerializer, Alias("GrainServe.TrafficConfig")]
public sealed class TrafficConfig
{
    /// <summary>
    /// Version to weight: each ready version takes its weight's share of the sum of the ready versions' weights
    /// (<c>{"1": 90, "2": 10}</c> sends one request in ten to version 2). Weights are proportional, not percentages,
    /// except under <see cref="Step"/>; 0 keeps a version loaded but sends it no traffic. Null: the newest ready
    /// version takes everything.
    /// </summary>
    [Id(0)] public Dictionary<string, int>? Weights { get; set; }

    /// <summary>
    /// A request header (<c>x-user-id</c>) whose value keeps a caller on one version: the same value always gets the
    /// same version while the weights stay, and raising a version's weight only moves callers onto it. Requests
    /// without the header are split at random. Null (default): every request is split at random.
    /// </summary>
    [Id(1)] public string? StickyHeader { get; set; }

    /// <summary>A version that receives a copy of some requests, its answers discarded. Null (default): no mirror.</summary>
    [Id(2)] public MirrorConfig? Mirror { get; set; }

    /// <summary>
    /// Compares every other weighted version (a canary) with a baseline and sets a canary's weight to 0 when it is worse.
    /// Null (default): no analysis.
    /// </summary>
    [Id(3)] public AutoRollbackConfig? AutoRollback { get; set; }

    /// <summary>
    /// Moves weight from the baseline to the one canary in steps while the canary stays healthy; needs
    /// <see cref="AutoRollback"/> and weights that sum to 100. Null (default): weights change only when the config does.
    /// </summary>
    [Id(4)] public PromotionStepConfig? Step { get; set; }
}
