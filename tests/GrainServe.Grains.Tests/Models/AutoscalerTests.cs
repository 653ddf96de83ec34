using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Models;

public sealed class AutoscalerTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static AutoscalingConfig Config(int min = 1, int max = 4) => new()
    {
        MinInstances = min,
        MaxInstances = max,
        TargetOngoingRequests = 2,
        UpscaleDelayS = 3,
        DownscaleDelayS = 30,
        ScaleToZeroDelayS = 300,
    };

    // Calls Decide once a second for the given seconds, as a grain's tick would, applying each decision; returns the last.
    private int Run(Autoscaler scaler, int current, int ongoing, int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            current = scaler.Decide(current, ongoing, _clock.GetUtcNow()).Instances;
        }

        return current;
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(8, 4)]
    [InlineData(100, 4)]
    public void Desired_Ongoing_IsCeilOverTargetWithinBounds(int ongoing, int expected)
    {
        Assert.Equal(expected, Autoscaler.Desired(Config(), ongoing));
    }

    [Fact]
    public void Desired_TinyTarget_DoesNotOverflow()
    {
        Assert.Equal(4, Autoscaler.Desired(new AutoscalingConfig { TargetOngoingRequests = 1e-300 }, int.MaxValue));
    }

    [Fact]
    public void Decide_RiseShorterThanUpscaleDelay_KeepsCurrent()
    {
        var scaler = new Autoscaler(Config());
        var first = scaler.Decide(1, 8, _clock.GetUtcNow());

        Assert.Equal(new ScalingDecision(1, TimeSpan.FromSeconds(3)), first);
        Assert.Equal(1, Run(scaler, 1, 8, 2));
    }

    [Fact]
    public void Decide_RiseLastsUpscaleDelay_AddsInstances()
    {
        var scaler = new Autoscaler(Config());
        scaler.Decide(1, 8, _clock.GetUtcNow());

        Assert.Equal(4, Run(scaler, 1, 8, 3));
    }

    [Fact]
    public void Decide_RiseWithVaryingWish_AppliesTheSmallestWishOfTheDelay()
    {
        var scaler = new Autoscaler(Config());
        scaler.Decide(1, 8, _clock.GetUtcNow());
        Run(scaler, 1, 4, 1);

        Assert.Equal(2, Run(scaler, 1, 8, 2));
    }

    [Fact]
    public void Decide_FallLastsDownscaleDelay_RemovesInstances()
    {
        var scaler = new Autoscaler(Config());
        scaler.Decide(4, 2, _clock.GetUtcNow());

        Assert.Equal(4, Run(scaler, 4, 2, 29));
        Assert.Equal(1, Run(scaler, 4, 2, 1));
    }

    [Fact]
    public void Decide_FallWithVaryingWish_AppliesTheLargestWishOfTheDelay()
    {
        var scaler = new Autoscaler(Config());
        scaler.Decide(4, 2, _clock.GetUtcNow());
        Run(scaler, 4, 6, 1);

        Assert.Equal(3, Run(scaler, 4, 2, 29));
    }

    [Fact]
    public void Decide_OscillatingLoad_DoesNotFlap()
    {
        var scaler = new Autoscaler(Config());
        var current = 2;
        var changes = 0;
        for (var second = 0; second < 600; second++)
        {
            // 2 s of twice the load, 2 s of none: each wish breaks before its delay.
            var ongoing = second % 4 < 2 ? 8 : 0;
            var next = scaler.Decide(current, ongoing, _clock.GetUtcNow()).Instances;
            changes += next != current ? 1 : 0;
            current = next;
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(0, changes);
        Assert.Equal(2, current);
    }

    [Fact]
    public void Decide_AtZeroWithRequestWaiting_StartsOneAtOnce()
    {
        var scaler = new Autoscaler(Config(min: 0));

        Assert.Equal(new ScalingDecision(1, null), scaler.Decide(0, 10, _clock.GetUtcNow()));
        // The rest of the rise is a new wish that waits out the delay, from the first decision after the cold start.
        Assert.Equal(1, Run(scaler, 1, 10, 3));
        Assert.Equal(4, Run(scaler, 1, 10, 1));
    }

    [Fact]
    public void Decide_AtZeroIdle_StaysAtZero()
    {
        var scaler = new Autoscaler(Config(min: 0));

        Assert.Equal(new ScalingDecision(0, null), scaler.Decide(0, 0, _clock.GetUtcNow()));
        Assert.Equal(0, Run(scaler, 0, 0, 1000));
    }

    [Fact]
    public void Decide_OneInstanceIdle_GoesToZeroAfterScaleToZeroDelayNotDownscaleDelay()
    {
        var scaler = new Autoscaler(Config(min: 0));
        Assert.Equal(new ScalingDecision(1, TimeSpan.FromSeconds(300)), scaler.Decide(1, 0, _clock.GetUtcNow()));

        Assert.Equal(1, Run(scaler, 1, 0, 299));
        Assert.Equal(0, Run(scaler, 1, 0, 1));
    }

    [Fact]
    public void Decide_ManyInstancesIdle_FallToOneThenZero()
    {
        var scaler = new Autoscaler(Config(min: 0));
        scaler.Decide(3, 0, _clock.GetUtcNow());

        Assert.Equal(1, Run(scaler, 3, 0, 30));
        Assert.Equal(1, Run(scaler, 1, 0, 269));
        Assert.Equal(0, Run(scaler, 1, 0, 1));
    }

    [Fact]
    public void Decide_RequestDuringIdleWait_RestartsTheZeroDelay()
    {
        var scaler = new Autoscaler(Config(min: 0));
        scaler.Decide(1, 0, _clock.GetUtcNow());
        Run(scaler, 1, 0, 200);
        Run(scaler, 1, 1, 1);

        Assert.Equal(1, Run(scaler, 1, 0, 300));
        Assert.Equal(0, Run(scaler, 1, 0, 1));
    }

    [Fact]
    public void Decide_MinInstancesOne_NeverGoesToZero()
    {
        var scaler = new Autoscaler(Config(min: 1));

        Assert.Equal(1, Run(scaler, 1, 0, 10_000));
    }

    [Fact]
    public void Decide_OutsideBounds_AppliesTheBoundAtOnce()
    {
        var scaler = new Autoscaler(Config(min: 2, max: 3));

        Assert.Equal(new ScalingDecision(2, null), scaler.Decide(0, 0, _clock.GetUtcNow()));
        Assert.Equal(new ScalingDecision(3, null), scaler.Decide(5, 100, _clock.GetUtcNow()));
    }

    [Fact]
    public void Decide_ZeroDelays_ApplyAtOnce()
    {
        var config = Config();
        config.UpscaleDelayS = 0;
        config.DownscaleDelayS = 0;
        var scaler = new Autoscaler(config);

        Assert.Equal(4, scaler.Decide(1, 8, _clock.GetUtcNow()).Instances);
        Assert.Equal(1, scaler.Decide(4, 1, _clock.GetUtcNow()).Instances);
    }
}
