namespace GrainServe.Models;

/// <summary>What the <see cref="CanaryAnalyzer"/> concluded about a canary.</summary>
public enum CanaryVerdictKind
{
    /// <summary>The canary has served fewer than <c>min_requests</c> in the window: neither roll back nor promote.</summary>
    NotEnoughData,

    /// <summary>The canary is within both limits: it may be promoted.</summary>
    Healthy,

    /// <summary>The canary exceeds a limit: set its weight to 0.</summary>
    Rollback,
}
