namespace GrainServe.Models;

public sealed class CanaryAnalyzerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly AutoRollbackConfig Config = new() { Baseline = "1" };

    private static VersionWindowStats Stats(long requests, long errors, double latencyMs)
    {
        var latency = new LatencyHistogram();
        for (var i = 0; i < requests; i++)
        {
            latency.Add(TimeSpan.FromMilliseconds(latencyMs));
        }

        return new VersionWindowStats(requests, errors, latency);
    }

    [Fact]
    public void Analyze_FewerThanMinRequests_IsNotEnoughData()
    {
        var verdict = CanaryAnalyzer.Analyze(Config, Stats(1000, 0, 10), Stats(199, 199, 10));

        Assert.Equal(CanaryVerdictKind.NotEnoughData, verdict.Kind);
        Assert.Equal("199 of the 200 requests needed in 30 s", verdict.Reason);
    }

    [Fact]
    public void Analyze_ErrorRateAboveTheIncrease_RollsBack()
    {
        var verdict = CanaryAnalyzer.Analyze(Config, Stats(1000, 10, 10), Stats(214, 18, 10));

        Assert.Equal(CanaryVerdictKind.Rollback, verdict.Kind);
        Assert.Equal("error rate 0.084 vs baseline 0.010 (max increase 0.02) over 30 s, 214 requests", verdict.Reason);
    }

    [Fact]
    public void Analyze_ErrorRateWithinTheIncrease_IsHealthy()
    {
        var verdict = CanaryAnalyzer.Analyze(Config, Stats(1000, 10, 10), Stats(200, 4, 10));

        Assert.Equal(CanaryVerdictKind.Healthy, verdict.Kind);
        Assert.StartsWith("error rate 0.020 vs baseline 0.010, p99 ", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_P99AboveTheRatio_RollsBack()
    {
        var verdict = CanaryAnalyzer.Analyze(Config, Stats(1000, 0, 10), Stats(300, 0, 20));

        Assert.Equal(CanaryVerdictKind.Rollback, verdict.Kind);
        Assert.Matches(@"^p99 [\d.]+ ms vs baseline [\d.]+ ms \(max ratio 1\.5\) over 30 s, 300 requests$", verdict.Reason);
    }

    [Fact]
    public void Analyze_P99WithinTheRatio_IsHealthy()
    {
        // 12 ms and 10 ms fall in neighbouring buckets: a ratio of 1.25 at most, within 1.5.
        var verdict = CanaryAnalyzer.Analyze(Config, Stats(1000, 0, 10), Stats(300, 0, 12));

        Assert.Equal(CanaryVerdictKind.Healthy, verdict.Kind);
    }

    [Fact]
    public void Analyze_BaselineWithNoRequests_ComparesErrorsWithZeroAndSkipsLatency()
    {
        var slowButClean = CanaryAnalyzer.Analyze(Config, VersionWindowStats.Empty, Stats(300, 5, 5000));
        var failing = CanaryAnalyzer.Analyze(Config, VersionWindowStats.Empty, Stats(300, 7, 10));

        Assert.Equal(CanaryVerdictKind.Healthy, slowButClean.Kind);
        Assert.Contains("baseline none (no requests)", slowButClean.Reason, StringComparison.Ordinal);
        Assert.Contains("latency not compared", slowButClean.Reason, StringComparison.Ordinal);
        Assert.Equal(CanaryVerdictKind.Rollback, failing.Kind);
    }

    [Fact]
    public void NextStep_HealthyAndDue_MovesStepPointsFromBaselineToCanary()
    {
        var step = new PromotionStepConfig { Weight = 10, EveryS = 60 };
        var weights = new Dictionary<string, int> { ["1"] = 90, ["2"] = 10 };
        var healthy = new CanaryVerdict(CanaryVerdictKind.Healthy, "");

        var next = CanaryAnalyzer.NextStep(step, weights, "1", "2", healthy, T0, T0.AddSeconds(60));

        Assert.Equal(new Dictionary<string, int> { ["1"] = 80, ["2"] = 20 }, next);
        Assert.Equal(90, weights["1"]);
    }

    [Fact]
    public void NextStep_NotDueOrNotHealthy_IsNull()
    {
        var step = new PromotionStepConfig { Weight = 10, EveryS = 60 };
        var weights = new Dictionary<string, int> { ["1"] = 90, ["2"] = 10 };

        Assert.Null(CanaryAnalyzer.NextStep(step, weights, "1", "2", new CanaryVerdict(CanaryVerdictKind.Healthy, ""), T0, T0.AddSeconds(59)));
        Assert.Null(CanaryAnalyzer.NextStep(step, weights, "1", "2", new CanaryVerdict(CanaryVerdictKind.NotEnoughData, ""), T0, T0.AddSeconds(600)));
        Assert.Null(CanaryAnalyzer.NextStep(step, weights, "1", "2", new CanaryVerdict(CanaryVerdictKind.Rollback, ""), T0, T0.AddSeconds(600)));
    }

    [Fact]
    public void NextStep_NearTheEnd_StopsAtOneHundred()
    {
        var step = new PromotionStepConfig { Weight = 30, EveryS = 1 };
        var healthy = new CanaryVerdict(CanaryVerdictKind.Healthy, "");
        var weights = new Dictionary<string, int> { ["1"] = 20, ["2"] = 80 };

        var last = CanaryAnalyzer.NextStep(step, weights, "1", "2", healthy, T0, T0.AddSeconds(1))!;

        Assert.Equal(new Dictionary<string, int> { ["1"] = 0, ["2"] = 100 }, last);
        Assert.Null(CanaryAnalyzer.NextStep(step, last, "1", "2", healthy, T0, T0.AddSeconds(100)));
    }

    [Fact]
    public void RolledBack_Canary_GivesItsPointsToTheBaseline()
    {
        var weights = new Dictionary<string, int> { ["1"] = 70, ["2"] = 30, ["3"] = 5 };

        Assert.Equal(new Dictionary<string, int> { ["1"] = 100, ["2"] = 0, ["3"] = 5 }, CanaryAnalyzer.RolledBack(weights, "1", "2"));
    }

    [Fact]
    public void Canaries_Traffic_AreTheOtherVersionsWithWeight()
    {
        var traffic = new TrafficConfig
        {
            Weights = new() { ["1"] = 80, ["3"] = 10, ["2"] = 10, ["4"] = 0 },
            AutoRollback = new AutoRollbackConfig { Baseline = "1" },
        };

        Assert.Equal(["2", "3"], CanaryAnalyzer.Canaries(traffic));
        Assert.Empty(CanaryAnalyzer.Canaries(new TrafficConfig { Weights = traffic.Weights }));
    }
}
