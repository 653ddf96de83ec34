namespace GrainServe.Models;

public sealed class TrafficConfigValidationTests
{
    private static List<string> Problems(string json) => ModelConfigValidator.Validate("m", ModelConfigJson.Parse(json));

    private static void AssertOneProblem(string json, string expectedPart)
    {
        var problems = Problems(json);
        Assert.True(problems.Count == 1, $"expected one problem, got: {string.Join(" | ", problems)}");
        Assert.Contains(expectedPart, problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FullTrafficAndAutoscaling_ReadsSnakeCaseFields()
    {
        var config = ModelConfigJson.Parse("""
            {
              "traffic": {
                "weights": {"1": 90, "2": 10},
                "sticky_header": "x-user-id",
                "mirror": {"version": "3", "percent": 5},
                "auto_rollback": {"baseline": "1", "max_error_rate_increase": 0.05, "max_p99_ratio": 2, "min_requests": 50, "window_s": 60},
                "step": {"weight": 10, "every_s": 120}
              },
              "autoscaling": {
                "min_instances": 0, "max_instances": 8, "target_ongoing_requests": 4,
                "upscale_delay_s": 1, "downscale_delay_s": 10, "scale_to_zero_delay_s": 600, "cold_start_timeout_s": 90
              }
            }
            """);

        var traffic = config.Traffic!;
        Assert.Equal(new Dictionary<string, int> { ["1"] = 90, ["2"] = 10 }, traffic.Weights);
        Assert.Equal("x-user-id", traffic.StickyHeader);
        Assert.Equal(("3", 5.0), (traffic.Mirror!.Version, traffic.Mirror.Percent));
        Assert.Equal(("1", 0.05, 2.0, 50, 60.0), (traffic.AutoRollback!.Baseline, traffic.AutoRollback.MaxErrorRateIncrease, traffic.AutoRollback.MaxP99Ratio, traffic.AutoRollback.MinRequests, traffic.AutoRollback.WindowS));
        Assert.Equal((10, 120.0), (traffic.Step!.Weight, traffic.Step.EveryS));
        var scaling = config.Autoscaling!;
        Assert.Equal((0, 8, 4.0, 1.0, 10.0, 600.0, 90.0), (scaling.MinInstances, scaling.MaxInstances, scaling.TargetOngoingRequests, scaling.UpscaleDelayS, scaling.DownscaleDelayS, scaling.ScaleToZeroDelayS, scaling.ColdStartTimeoutS));
        Assert.Empty(ModelConfigValidator.Validate("m", config));
    }

    [Fact]
    public void Parse_EmptyBlocks_TakeTheDocumentedDefaults()
    {
        var config = ModelConfigJson.Parse("""{"traffic": {"weights": {"1": 1}, "auto_rollback": {"baseline": "1"}, "mirror": {"version": "1"}}, "autoscaling": {}}""");

        var rollback = config.Traffic!.AutoRollback!;
        Assert.Equal((0.02, 1.5, 200, 30.0), (rollback.MaxErrorRateIncrease, rollback.MaxP99Ratio, rollback.MinRequests, rollback.WindowS));
        Assert.Equal(100, config.Traffic.Mirror!.Percent);
        var scaling = config.Autoscaling!;
        Assert.Equal((1, 4, 2.0, 3.0, 30.0, 300.0, 60.0), (scaling.MinInstances, scaling.MaxInstances, scaling.TargetOngoingRequests, scaling.UpscaleDelayS, scaling.DownscaleDelayS, scaling.ScaleToZeroDelayS, scaling.ColdStartTimeoutS));
        Assert.Empty(ModelConfigValidator.Validate("m", config));
    }

    [Fact]
    public void Write_Traffic_RoundTrips()
    {
        var config = ModelConfigJson.Parse("""{"traffic": {"weights": {"1": 3, "2": 1}, "step": {"weight": 5}}}""");

        var again = ModelConfigJson.Parse(ModelConfigJson.Write(config));

        Assert.Equal(config.Traffic!.Weights, again.Traffic!.Weights);
        Assert.Equal((5, 60.0), (again.Traffic.Step!.Weight, again.Traffic.Step.EveryS));
        Assert.Contains("\"every_s\"", ModelConfigJson.Write(config), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"weights": {"1": -5, "2": 10}}""", "weight -5; a weight must be 0 (no traffic) or more")]
    [InlineData("""{"weights": {"1": 0, "2": 0}}""", "traffic.weights are all 0")]
    [InlineData("""{"weights": {}}""", "traffic.weights is empty")]
    [InlineData("""{"weights": {"v2": 1}}""", "traffic.weights names version 'v2'")]
    [InlineData("""{"weights": {"0": 1}}""", "traffic.weights names version '0'")]
    [InlineData("""{"weights": {"-1": 1}}""", "traffic.weights names version '-1'")]
    [InlineData("""{"sticky_header": ""}""", "traffic.sticky_header '' is not a header name")]
    [InlineData("""{"sticky_header": "x user"}""", "traffic.sticky_header 'x user' is not a header name")]
    [InlineData("""{"mirror": {"version": "2", "percent": 150}}""", "traffic.mirror.percent is 150; it must be between 0 and 100")]
    [InlineData("""{"mirror": {"version": "2", "percent": -1}}""", "traffic.mirror.percent is -1")]
    [InlineData("""{"mirror": {"percent": 10}}""", "traffic.mirror.version '' is not a version")]
    [InlineData("""{"weights": {"1": 1}, "auto_rollback": {}}""", "traffic.auto_rollback.baseline is missing")]
    [InlineData("""{"weights": {"1": 1}, "auto_rollback": {"baseline": "3"}}""", "traffic.auto_rollback.baseline '3' is not in traffic.weights")]
    [InlineData("""{"auto_rollback": {"baseline": "1"}}""", "traffic.auto_rollback.baseline '1' is not in traffic.weights")]
    [InlineData("""{"weights": {"1": 1}, "auto_rollback": {"baseline": "1", "max_error_rate_increase": -0.1}}""", "max_error_rate_increase is -0.1")]
    [InlineData("""{"weights": {"1": 1}, "auto_rollback": {"baseline": "1", "max_p99_ratio": 0}}""", "max_p99_ratio is 0; it must be more than 0")]
    [InlineData("""{"weights": {"1": 1}, "auto_rollback": {"baseline": "1", "min_requests": 0}}""", "min_requests is 0; it must be at least 1")]
    [InlineData("""{"weights": {"1": 1}, "auto_rollback": {"baseline": "1", "window_s": 0.5}}""", "window_s is 0.5; it must be between 1 and 3600 seconds")]
    [InlineData("""{"weights": {"1": 1}, "auto_rollback": {"baseline": "1", "window_s": 7200}}""", "window_s is 7200")]
    [InlineData("""{"weights": {"1": 90, "2": 10}, "auto_rollback": {"baseline": "1"}, "step": {"weight": 0}}""", "traffic.step.weight is 0; it must be between 1 and 100")]
    [InlineData("""{"weights": {"1": 90, "2": 10}, "auto_rollback": {"baseline": "1"}, "step": {"weight": 10, "every_s": 0}}""", "traffic.step.every_s is 0")]
    [InlineData("""{"weights": {"1": 90, "2": 10}, "step": {"weight": 10}}""", "traffic.step needs traffic.auto_rollback")]
    [InlineData("""{"weights": {"1": 9, "2": 1}, "auto_rollback": {"baseline": "1"}, "step": {"weight": 10}}""", "with weights that sum to 100")]
    [InlineData("""{"weights": {"1": 80, "2": 10, "3": 10}, "auto_rollback": {"baseline": "1"}, "step": {"weight": 10}}""", "must name exactly two versions")]
    public void Validate_BadTraffic_ReportsTheProblem(string traffic, string expected)
    {
        AssertOneProblem($$"""{"traffic": {{traffic}}}""", expected);
    }

    [Theory]
    [InlineData("""{"min_instances": -1}""", "autoscaling.min_instances is -1; it must be 0 (scale to zero) or more")]
    [InlineData("""{"max_instances": 0, "min_instances": 0}""", "autoscaling.max_instances is 0; it must be at least 1")]
    [InlineData("""{"min_instances": 5, "max_instances": 4}""", "autoscaling.min_instances (5) is above max_instances (4)")]
    [InlineData("""{"target_ongoing_requests": 0}""", "autoscaling.target_ongoing_requests is 0; it must be more than 0")]
    [InlineData("""{"target_ongoing_requests": -2}""", "autoscaling.target_ongoing_requests is -2")]
    [InlineData("""{"upscale_delay_s": -1}""", "autoscaling.upscale_delay_s is -1; a delay must be 0 seconds or more")]
    [InlineData("""{"downscale_delay_s": -1}""", "autoscaling.downscale_delay_s is -1")]
    [InlineData("""{"scale_to_zero_delay_s": -0.5}""", "autoscaling.scale_to_zero_delay_s is -0.5")]
    [InlineData("""{"cold_start_timeout_s": 0}""", "autoscaling.cold_start_timeout_s is 0; it must be more than 0 seconds")]
    [InlineData("""{"cold_start_timeout_s": 601}""", "autoscaling.cold_start_timeout_s is 601; it must be at most 600 seconds")]
    public void Validate_BadAutoscaling_ReportsTheProblem(string autoscaling, string expected)
    {
        AssertOneProblem($$"""{"autoscaling": {{autoscaling}}}""", expected);
    }

    [Fact]
    public void Validate_ZeroDelaysAndMinZero_AreAccepted()
    {
        Assert.Empty(Problems("""{"autoscaling": {"min_instances": 0, "max_instances": 1, "upscale_delay_s": 0, "downscale_delay_s": 0, "scale_to_zero_delay_s": 0}}"""));
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEach()
    {
        var problems = Problems("""{"traffic": {"weights": {"x": -1}}, "autoscaling": {"min_instances": -1, "target_ongoing_requests": 0}}""");

        Assert.Equal(4, problems.Count);
    }

    [Fact]
    public void UnknownVersions_VersionsTheRepositoryLacks_ReportsEachOnce()
    {
        var traffic = ModelConfigJson.Parse("""
            {"traffic": {"weights": {"1": 50, "3": 50}, "mirror": {"version": "4"}, "auto_rollback": {"baseline": "3"}}}
            """).Traffic!;

        var problems = TrafficConfigChecks.UnknownVersions(traffic, [1, 2]);

        Assert.Equal(2, problems.Count);
        Assert.Equal("traffic.weights names version 3, which the repository does not hold (it has 1, 2); add the version folder or remove it from the config", problems[0]);
        Assert.StartsWith("traffic.mirror.version names version 4", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownVersions_AllHeld_IsEmpty()
    {
        var traffic = ModelConfigJson.Parse("""{"traffic": {"weights": {"1": 50, "2": 50}, "mirror": {"version": "2"}}}""").Traffic!;

        Assert.Empty(TrafficConfigChecks.UnknownVersions(traffic, [1, 2]));
    }
}
