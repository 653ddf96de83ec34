namespace GrainServe.Models;

/// <summary>What the <see cref="Autoscaler"/> decided for one version.</summary>
/// <param name="Instances">The instances the version should have now: add or remove the difference from the current count.</param>
/// <param name="DecideAgainIn">
/// When a change is waiting out its delay, how long until it is due, so that the caller can ask again then; null when
/// nothing is pending (ask again on the regular tick or when the load changes).
/// </param>
public readonly record struct ScalingDecision(int Instances, TimeSpan? DecideAgainIn);
