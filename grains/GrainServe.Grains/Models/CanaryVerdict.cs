namespace GrainServe.Models;

/// <summary>A verdict on a canary, with the numbers it rests on as a sentence for logs and status.</summary>
/// <param name="Kind">What to do with the canary.</param>
/// <param name="Reason">
/// Why, with the measurements: for example "error rate 0.081 vs baseline 0.010 (max increase 0.02) over 30 s, 214
/// requests".
/// </param>
public readonly record struct CanaryVerdict(CanaryVerdictKind Kind, string Reason);
