namespace GrainServe.Models;

/// <summary>
/// When a canary is rolled back: its error rate or its p99 latency over the last <see cref="WindowS"/> seconds is
/// worse than the baseline's by more than the limits, once it has served <see cref="MinRequests"/> requests in that
/// window. Flagger's canary analysis, with thresholds relative to a baseline instead of absolute ones.
/// </summary>
[GenerateSerializer, Alias("GrainServe.AutoRollbackConfig")]
public sealed class AutoRollbackConfig
{
    /// <summary>The version canaries are compared with; must be one of <see cref="TrafficConfig.Weights"/>. Required.</summary>
    [Id(0)] public string Baseline { get; set; } = "";

    /// <summary>
    /// The most a canary's error rate (failed requests over requests, 0 to 1) may exceed the baseline's. Default 0.02
    /// (two percentage points).
    /// </summary>
    [Id(1)] public double MaxErrorRateIncrease { get; set; } = 0.02;

    /// <summary>The most a canary's p99 latency may be, as a multiple of the baseline's. Default 1.5.</summary>
    [Id(2)] public double MaxP99Ratio { get; set; } = 1.5;

    /// <summary>
    /// Requests the canary must have served in the window before it is judged; fewer is not enough data, and the canary
    /// is neither rolled back nor promoted. Default 200.
    /// </summary>
    [Id(3)] public int MinRequests { get; set; } = 200;

    /// <summary>The window the rates and latencies are measured over, in seconds, 1 to 3600. Default 30.</summary>
    [Id(4)] public double WindowS { get; set; } = 30;
}
