namespace GrainServe.Batching;

public sealed class QueueParametersTests
{
    private static readonly BatchingSettings Levels = new(8, true, [], TimeSpan.Zero, 0, TimeSpan.FromMilliseconds(100), QueueTimeoutAction.Reject)
    {
        PriorityLevels = 3,
        DefaultPriorityLevel = 2,
        AllowTimeoutOverride = true,
        LevelPolicies = new Dictionary<int, QueuePolicy> { [1] = new(4, TimeSpan.FromSeconds(1), QueueTimeoutAction.Reject, false) },
    };

    private static (int Level, TimeSpan Timeout, string? Error) Read(BatchingSettings settings, params (string Name, string Value)[] parameters) =>
        QueueParameters.Read(parameters.Length == 0 ? null : parameters.ToDictionary(p => p.Name, p => p.Value), settings, "m");

    [Fact]
    public void Read_NoPriorityOrZero_TakesTheDefaultLevel()
    {
        Assert.Equal(2, Read(Levels).Level);
        Assert.Equal(2, Read(Levels, ("priority", "0")).Level);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("3", 3)]
    public void Read_PriorityInRange_IsItsLevel(string priority, int level)
    {
        Assert.Equal((level, null), (Read(Levels, ("priority", priority)).Level, Read(Levels, ("priority", priority)).Error));
    }

    [Theory]
    [InlineData("4", "priority 4 is out of range: model 'm' has priority levels 1 (the highest) to 3")]
    [InlineData("-1", "must be a whole number")]
    [InlineData("true", "must be a whole number")]
    [InlineData("2.0", "must be a whole number")]
    public void Read_BadPriority_SaysWhatIsAllowed(string priority, string expected)
    {
        Assert.Contains(expected, Read(Levels, ("priority", priority)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ModelWithoutLevels_TakesZeroAndOneOnly()
    {
        var settings = BatchingSettings.Off;
        Assert.Equal((1, null), (Read(settings, ("priority", "1")).Level, Read(settings, ("priority", "1")).Error));
        Assert.Null(Read(settings, ("priority", "0")).Error);
        Assert.Contains("has one priority level", Read(settings, ("priority", "2")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LevelWithItsOwnPolicy_TakesItsTimeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Read(Levels, ("priority", "1")).Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), Read(Levels, ("priority", "3")).Timeout);
    }

    [Theory]
    [InlineData("50000", 50)]
    [InlineData("500000", 100)]
    [InlineData("0", 100)]
    public void Read_TimeoutOverride_OnlyShortensTheDefault(string microseconds, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Read(Levels, ("timeout", microseconds)).Timeout);
    }

    [Fact]
    public void Read_TimeoutOverrideNotAllowedOrNoDefault_IsIgnored()
    {
        // Level 1's policy does not allow overrides; a policy without a default timeout has nothing to shorten.
        Assert.Equal(TimeSpan.FromSeconds(1), Read(Levels, ("priority", "1"), ("timeout", "10")).Timeout);
        var noDefault = Levels with { QueueTimeout = TimeSpan.Zero };
        Assert.Equal(TimeSpan.Zero, Read(noDefault, ("timeout", "10")).Timeout);
    }

    [Fact]
    public void Read_BadTimeout_IsAnError()
    {
        Assert.Contains("whole number of microseconds", Read(Levels, ("timeout", "-5")).Error, StringComparison.Ordinal);
    }
}
