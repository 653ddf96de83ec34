using GrainServe.Batching;

namespace GrainServe.Models;

public sealed class PriorityConfigValidationTests
{
    private const string Levels = """
        {
          "max_batch_size": 8,
          "dynamic_batching": {
            "priority_levels": 3,
            "default_priority_level": 2,
            "default_queue_policy": { "max_queue_size": 16, "default_timeout_microseconds": 100000, "allow_timeout_override": true },
            "priority_queue_policy": { "1": { "max_queue_size": 4, "timeout_action": "DELAY", "default_timeout_microseconds": 5000 } }
          }
        }
        """;

    private static List<string> Problems(string dynamicBatching) =>
        ModelConfigValidator.Validate("m", ModelConfigJson.Parse($$"""{ "max_batch_size": 8, "dynamic_batching": {{dynamicBatching}} }"""));

    private static void AssertOneProblem(string dynamicBatching, string expectedPart)
    {
        var problems = Problems(dynamicBatching);
        Assert.True(problems.Count == 1, $"expected one problem, got: {string.Join(" | ", problems)}");
        Assert.Contains(expectedPart, problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TritonPriorityFields_AreReadAndValid()
    {
        var config = ModelConfigJson.Parse(Levels);

        var batching = config.DynamicBatching!;
        Assert.Equal((3L, 2L), (batching.PriorityLevels, batching.DefaultPriorityLevel));
        Assert.True(batching.DefaultQueuePolicy!.AllowTimeoutOverride);
        Assert.Equal(4, batching.PriorityQueuePolicy!["1"].MaxQueueSize);
        Assert.Empty(ModelConfigValidator.Validate("m", config));
    }

    [Fact]
    public void FromConfig_Levels_GiveEachLevelItsPolicy()
    {
        var settings = BatchingSettings.FromConfig(ModelConfigJson.Parse(Levels));

        Assert.Equal((3, 2, 3), (settings.PriorityLevels, settings.DefaultPriorityLevel, settings.LevelCount));
        Assert.Equal(new QueuePolicy(4, TimeSpan.FromMilliseconds(5), QueueTimeoutAction.Delay, false), settings.PolicyOf(1));
        Assert.Equal(new QueuePolicy(16, TimeSpan.FromMilliseconds(100), QueueTimeoutAction.Reject, true), settings.PolicyOf(3));
    }

    [Fact]
    public void FromConfig_NoLevels_IsOneLevel()
    {
        var settings = BatchingSettings.FromConfig(ModelConfigJson.Parse("""{ "max_batch_size": 8, "dynamic_batching": {} }"""));
        Assert.Equal((0, 1, 1), (settings.PriorityLevels, settings.DefaultPriorityLevel, settings.LevelCount));
    }

    [Theory]
    [InlineData("""{ "priority_levels": -1 }""", "priority_levels is -1; it must be from 0 (one level) to 1000")]
    [InlineData("""{ "priority_levels": 1001, "default_priority_level": 1 }""", "priority_levels is 1001")]
    [InlineData("""{ "priority_levels": 2 }""", "default_priority_level is 0; with priority_levels 2 it must be from 1 (the highest) to 2")]
    [InlineData("""{ "priority_levels": 2, "default_priority_level": 3 }""", "default_priority_level is 3")]
    [InlineData("""{ "default_priority_level": 1 }""", "default_priority_level is 1 but priority_levels is not set")]
    [InlineData("""{ "priority_queue_policy": { "1": {} } }""", "priority_queue_policy names levels but priority_levels is not set")]
    [InlineData("""{ "priority_levels": 2, "default_priority_level": 1, "priority_queue_policy": { "3": {} } }""", "priority_queue_policy names level '3'; levels are 1 (the highest) to priority_levels (2)")]
    [InlineData("""{ "priority_levels": 2, "default_priority_level": 1, "priority_queue_policy": { "high": {} } }""", "names level 'high'")]
    [InlineData("""{ "priority_levels": 2, "default_priority_level": 1, "priority_queue_policy": { "1": { "timeout_action": "DROP" } } }""", "priority_queue_policy[1].timeout_action 'DROP' must be REJECT or DELAY")]
    [InlineData("""{ "priority_levels": 2, "default_priority_level": 1, "priority_queue_policy": { "2": { "max_queue_size": -1 } } }""", "priority_queue_policy[2] sizes and timeouts must not be negative")]
    public void Validate_BadPriorityConfig_SaysHowToFixIt(string dynamicBatching, string expected)
    {
        AssertOneProblem(dynamicBatching, expected);
    }
}
