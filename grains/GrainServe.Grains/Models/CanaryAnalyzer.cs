using System.Globalization;

namespace GrainServe.Models;

/// <summary>
/// Judges a canary version against its baseline from their windowed statistics (<c>traffic.auto_rollback</c>), and
/// promotes a healthy canary step by step (<c>traffic.step</c>). Pure: statistics, weights and times in, a verdict or
/// new weights out.
/// </summary>
/// <remarks>
/// A canary is judged once it has served <c>min_requests</c> in the window. It is rolled back when its error rate
/// exceeds the baseline's by more than <c>max_error_rate_increase</c>, or its p99 latency is more than
/// <c>max_p99_ratio</c> times the baseline's. A baseline with no request in the window (all traffic on the canary, or
/// a baseline with weight 0) has no rate or latency to compare with: the canary's error rate is then compared with 0,
/// so it must stay within <c>max_error_rate_increase</c> on its own, and latency is not judged.
/// </remarks>
public static class CanaryAnalyzer
{
    /// <summary>The verdict on a canary whose window holds <paramref name="canary"/>, against <paramref name="baseline"/>.</summary>
    public static CanaryVerdict Analyze(AutoRollbackConfig config, VersionWindowStats baseline, VersionWindowStats canary)
    {
        var over = $"over {Number(config.WindowS, "0.###")} s, {canary.Requests} requests";
        if (canary.Requests < config.MinRequests)
        {
            return new CanaryVerdict(CanaryVerdictKind.NotEnoughData, $"{canary.Requests} of the {config.MinRequests} requests needed in {Number(config.WindowS, "0.###")} s");
        }

        var hasBaseline = baseline.Requests > 0;
        var baselineRate = hasBaseline ? baseline.ErrorRate : 0;
        var errors = $"error rate {Number(canary.ErrorRate, "0.000")} vs baseline {(hasBaseline ? Number(baselineRate, "0.000") : "none (no requests)")}";
        if (canary.ErrorRate - baselineRate > config.MaxErrorRateIncrease)
        {
            return new CanaryVerdict(CanaryVerdictKind.Rollback, $"{errors} (max increase {Number(config.MaxErrorRateIncrease, "0.###")}) {over}");
        }

        if (hasBaseline && canary.P99 is { } canaryP99 && baseline.P99 is { } baselineP99)
        {
            var latency = $"p99 {Milliseconds(canaryP99)} vs baseline {Milliseconds(baselineP99)}";
            if (canaryP99.Ticks > config.MaxP99Ratio * baselineP99.Ticks)
            {
                return new CanaryVerdict(CanaryVerdictKind.Rollback, $"{latency} (max ratio {Number(config.MaxP99Ratio, "0.###")}) {over}");
            }

            return new CanaryVerdict(CanaryVerdictKind.Healthy, $"{errors}, {latency} {over}");
        }

        return new CanaryVerdict(CanaryVerdictKind.Healthy, $"{errors}, latency not compared {over}");
    }

    /// <summary>
    /// The weights after a promotion step, or null when no step is due: the verdict is not
    /// <see cref="CanaryVerdictKind.Healthy"/>, less than <c>every_s</c> has passed since <paramref name="lastStep"/>
    /// (the previous step, or the canary's start), or the canary already has every point.
    /// </summary>
    /// <remarks>
    /// Weights are percentages that sum to 100 (the validator insists under <c>traffic.step</c>): the canary gains
    /// <c>step.weight</c> points, at most up to the baseline's and its own sum, and the baseline loses what the canary
    /// gains. Other versions in <paramref name="weights"/> are copied unchanged.
    /// </remarks>
    public static Dictionary<string, int>? NextStep(
        PromotionStepConfig step,
        IReadOnlyDictionary<string, int> weights,
        string baseline,
        string canary,
        CanaryVerdict verdict,
        DateTimeOffset lastStep,
        DateTimeOffset now)
    {
        var baselineWeight = weights.GetValueOrDefault(baseline);
        var canaryWeight = weights.GetValueOrDefault(canary);
        var total = baselineWeight + canaryWeight;
        if (verdict.Kind != CanaryVerdictKind.Healthy || now - lastStep < TimeSpan.FromSeconds(step.EveryS) || canaryWeight >= total)
        {
            return null;
        }

        var promoted = Math.Min(total, canaryWeight + step.Weight);
        return With(weights, baseline, total - promoted, canary, promoted);
    }

    /// <summary>The weights after a rollback: the canary at 0, its points given back to the baseline.</summary>
    public static Dictionary<string, int> RolledBack(IReadOnlyDictionary<string, int> weights, string baseline, string canary) =>
        With(weights, baseline, weights.GetValueOrDefault(baseline) + weights.GetValueOrDefault(canary), canary, 0);

    /// <summary>The canaries of <paramref name="traffic"/>: its weighted versions other than the baseline, with a positive weight.</summary>
    public static IReadOnlyList<string> Canaries(TrafficConfig traffic) =>
        traffic.AutoRollback is { } rollback && traffic.Weights is { } weights
            ? weights.Where(w => w.Key != rollback.Baseline && w.Value > 0).Select(w => w.Key).Order(StringComparer.Ordinal).ToArray()
            : [];

    private static Dictionary<string, int> With(IReadOnlyDictionary<string, int> weights, string baseline, int baselineWeight, string canary, int canaryWeight) =>
        new(weights, StringComparer.Ordinal) { [baseline] = baselineWeight, [canary] = canaryWeight };

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Milliseconds(TimeSpan value) => $"{Number(value.TotalMilliseconds, "0.###")} ms";
}
