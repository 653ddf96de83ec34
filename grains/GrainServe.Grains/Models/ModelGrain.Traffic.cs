using System.Globalization;
using GrainServe.Errors;
using Microsoft.Extensions.Logging;

namespace GrainServe.Models;

// The traffic policy: the weights in force (config.json's, or set at run time and kept in grain storage), the
// gateways' per-version figures, and the canary analysis that rolls a canary back or promotes it step by step.
internal sealed partial class ModelGrain
{
    // How often the canary analysis runs, at most: the gateways report twice a second.
    private static readonly TimeSpan AnalysisInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, VersionTrafficCounts> _trafficTotals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VersionWindow> _windows = new(StringComparer.Ordinal);
    private DateTimeOffset _lastAnalysis = DateTimeOffset.MinValue;

    private TrafficConfig? Traffic => _definition?.Config.Traffic;

    /// <summary>The weights in force: set at run time (or by the canary analysis), else config.json's; null for no split.</summary>
    internal IReadOnlyDictionary<string, int>? WeightsInForce => _trafficState.State.Weights ?? Traffic?.Weights;

    /// <summary>The versions to keep loaded: the version policy's and every version the weights name.</summary>
    internal IReadOnlyList<long> ServedVersions() => _definition!.ServedVersions(WeightsInForce);

    public async Task<TrafficStatus> GetTraffic()
    {
        await EnsureLoadedOnce();
        _ = _definition ?? throw NotFound();
        return TrafficStatusNow();
    }

    public async Task<TrafficStatus> SetTraffic(Dictionary<string, int> weights)
    {
        await EnsureLoadedOnce();
        var definition = _definition ?? throw NotFound();
        var problems = new List<string>();
        foreach (var (version, weight) in weights)
        {
            if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || !definition.Versions.Contains(number))
            {
                problems.Add($"model '{Name}' has no version {version}");
            }
            else if (weight < 0)
            {
                problems.Add($"version {version} has a negative weight ({weight})");
            }
        }

        if (weights.Count == 0 || weights.Values.All(w => w <= 0))
        {
            problems.Add("at least one version needs a weight above 0");
        }

        if (problems.Count > 0)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"invalid traffic weights for model '{Name}': {string.Join("; ", problems)}");
        }

        // Versions named for the first time are loaded before any traffic moves: a version only takes traffic once ready.
        var previous = _trafficState.State.Weights;
        _trafficState.State.Weights = new Dictionary<string, int>(weights, StringComparer.Ordinal);
        if (_loading is { IsCompleted: false } running)
        {
            await running.ContinueWith(_ => { }, TaskScheduler.Current);
        }

        if (!_unloaded)
        {
            await TryLoadAgainAsync();
        }

        var unready = weights.Keys.Where(v => _versions.GetValueOrDefault(v) is not { State: ModelReadyState.Ready, Instances.Count: > 0 }).ToList();
        if (unready.Count > 0)
        {
            _trafficState.State.Weights = previous;
            var reasons = unready.Select(v => $"version {v} is not ready: {_versions.GetValueOrDefault(v)?.Reason ?? "it did not load"}");
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"invalid traffic weights for model '{Name}': {string.Join("; ", reasons)}");
        }

        foreach (var version in weights.Where(w => w.Value > 0).Select(w => w.Key))
        {
            // An operator who gives a rolled-back canary weight again overrides the verdict.
            _trafficState.State.RolledBack.Remove(version);
        }

        _trafficState.State.LastStep = _time.GetUtcNow();
        await _trafficState.WriteStateAsync();
        LogTrafficSet(_logger, Name, Describe(weights));
        return TrafficStatusNow();
    }

    // A gateway's figures since its last report: kept as totals (GET .../traffic) and in each version's analysis window.
    private async Task RecordTrafficAsync(Dictionary<string, VersionTrafficCounts> traffic, DateTimeOffset now)
    {
        foreach (var (version, counts) in traffic)
        {
            if (!_trafficTotals.TryGetValue(version, out var total))
            {
                _trafficTotals[version] = total = new VersionTrafficCounts();
            }

            total.Add(counts);
            WindowOf(version).Add(now, counts.Requests, counts.Errors, counts.Latency);
        }

        if (now - _lastAnalysis >= AnalysisInterval)
        {
            _lastAnalysis = now;
            await AnalyzeCanariesAsync(now);
        }
    }

    // Rolls back a canary that does measurably worse than its baseline, and promotes a healthy one a step at a time.
    private async Task AnalyzeCanariesAsync(DateTimeOffset now)
    {
        if (Traffic?.AutoRollback is not { } rollback || WeightsInForce is not { } weights)
        {
            return;
        }

        if (_trafficState.State.LastStep == default)
        {
            // The first step waits a whole interval from the first analysis.
            _trafficState.State.LastStep = now;
        }

        var changed = false;
        var current = new Dictionary<string, int>(weights, StringComparer.Ordinal);
        foreach (var canary in current.Where(w => w.Key != rollback.Baseline && w.Value > 0).Select(w => w.Key).Order(StringComparer.Ordinal).ToList())
        {
            var verdict = CanaryAnalyzer.Analyze(rollback, WindowOf(rollback.Baseline).Snapshot(now), WindowOf(canary).Snapshot(now));
            if (verdict.Kind == CanaryVerdictKind.Rollback)
            {
                current = CanaryAnalyzer.RolledBack(current, rollback.Baseline, canary);
                _trafficState.State.RolledBack[canary] = verdict.Reason;
                LogCanaryRolledBack(_logger, Name, canary, verdict.Reason);
                changed = true;
            }
            else if (Traffic.Step is { } step && CanaryAnalyzer.NextStep(step, current, rollback.Baseline, canary, verdict, _trafficState.State.LastStep, now) is { } next)
            {
                current = next;
                _trafficState.State.LastStep = now;
                LogCanaryPromoted(_logger, Name, canary, next.GetValueOrDefault(canary));
                changed = true;
            }
        }

        if (changed)
        {
            _trafficState.State.Weights = current;
            await _trafficState.WriteStateAsync();
        }
    }

    private VersionWindow WindowOf(string version)
    {
        if (!_windows.TryGetValue(version, out var window))
        {
            _windows[version] = window = new VersionWindow(TimeSpan.FromSeconds(Traffic?.AutoRollback?.WindowS ?? 30));
        }

        return window;
    }

    private TrafficStatus TrafficStatusNow()
    {
        var weights = WeightsInForce;
        var now = _time.GetUtcNow();
        return new TrafficStatus
        {
            Model = Name,
            Weights = weights is null ? null : new Dictionary<string, int>(weights, StringComparer.Ordinal),
            Source = _trafficState.State.Weights is not null ? "runtime" : Traffic?.Weights is not null ? "config" : "none",
            StickyHeader = Traffic?.StickyHeader,
            Mirror = Traffic?.Mirror,
            Versions = ServedVersions().Select(Text).Select(v =>
            {
                var total = _trafficTotals.GetValueOrDefault(v);
                var window = _windows.TryGetValue(v, out var w) ? w.Snapshot(now) : null;
                return new VersionTrafficStatus
                {
                    Version = v,
                    Weight = weights is null ? null : weights.GetValueOrDefault(v),
                    State = _versions.GetValueOrDefault(v)?.State ?? ModelReadyState.Unknown,
                    Requests = total?.Requests ?? 0,
                    Errors = total?.Errors ?? 0,
                    Mirrored = total?.Mirrored ?? 0,
                    RolledBack = _trafficState.State.RolledBack.GetValueOrDefault(v),
                    P99Milliseconds = window?.P99?.TotalMilliseconds,
                };
            }).ToArray(),
        };
    }

    private static string Describe(IReadOnlyDictionary<string, int> weights) =>
        string.Join(", ", weights.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key}: {w.Value}"));

    [LoggerMessage(EventId = EventIds.TrafficSet, EventName = nameof(EventIds.TrafficSet), Level = LogLevel.Information,
        Message = "Model {ModelName} traffic weights set to {Weights}")]
    private static partial void LogTrafficSet(ILogger logger, string modelName, string weights);

    [LoggerMessage(EventId = EventIds.CanaryRolledBack, EventName = nameof(EventIds.CanaryRolledBack), Level = LogLevel.Warning,
        Message = "Model {ModelName} canary version {ModelVersion} rolled back to weight 0: {Reason}")]
    private static partial void LogCanaryRolledBack(ILogger logger, string modelName, string modelVersion, string reason);

    [LoggerMessage(EventId = EventIds.CanaryPromoted, EventName = nameof(EventIds.CanaryPromoted), Level = LogLevel.Information,
        Message = "Model {ModelName} canary version {ModelVersion} promoted to weight {Weight}")]
    private static partial void LogCanaryPromoted(ILogger logger, string modelName, string modelVersion, int weight);
}
