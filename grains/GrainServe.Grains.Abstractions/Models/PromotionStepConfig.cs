namespace GrainServe.Models;

/// <summary>
/// Stepwise promotion (Flagger's <c>stepWeight</c> and <c>interval</c>): every <see cref="EveryS"/> seconds
/// that the canary is healthy, it gains <see cref="Weight"/> percentage points and the baseline loses them, until the
/// canary has 100.
/// </summary>
[GenerateSerializer, Alias("GrainServe.PromotionStepConfig")]
public sealed class PromotionStepConfig
{
    /// <summary>Percentage points moved per step, 1 to 100. Required.</summary>
    [Id(0)] public int Weight { get; set; }

    /// <summary>
    /// The least time between two steps, in seconds; a step is taken only on a healthy verdict, so with too little
    /// traffic it waits. Default 60.
    /// </summary>
    [Id(1)] public double EveryS { get; set; } = 60;
}
