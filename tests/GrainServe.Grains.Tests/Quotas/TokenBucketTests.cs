namespace GrainServe.Quotas;

public sealed class TokenBucketTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Lease_FullBucket_GrantsTheAskAndTakesItOut()
    {
        var bucket = new TokenBucket(100, 10, Start);

        var grant = bucket.Lease(need: 1, ask: 30, Start);

        Assert.Equal(30, grant.Granted);
        Assert.Equal(70, bucket.Available(Start));
    }

    [Fact]
    public void Lease_LessThanTheAskButEnoughForTheNeed_GrantsWhatIsLeft()
    {
        var bucket = new TokenBucket(10, 1, Start);
        bucket.Lease(8, 8, Start);

        Assert.Equal(2, bucket.Lease(need: 1, ask: 5, Start).Granted);
        Assert.Equal(0, bucket.Available(Start));
    }

    [Fact]
    public void Lease_TooFewTokens_RefusesWithTheTimeUntilTheNeedRefills()
    {
        var bucket = new TokenBucket(10, 2, Start);
        bucket.Lease(9, 9, Start);

        var grant = bucket.Lease(need: 5, ask: 5, Start);

        Assert.Equal(0, grant.Granted);
        Assert.Equal(TimeSpan.FromSeconds(2), grant.RetryAfter);
        Assert.Equal(1, bucket.Available(Start));
    }

    [Fact]
    public void Available_AfterTime_RefillsAtTheRateUpToTheCapacity()
    {
        var bucket = new TokenBucket(10, 2, Start);
        bucket.Lease(10, 10, Start);

        Assert.Equal(3, bucket.Available(Start.AddSeconds(1.5)), 6);
        Assert.Equal(10, bucket.Available(Start.AddMinutes(5)));
    }

    [Fact]
    public void Lease_NeedOverTheCapacity_WaitsAWholeRefill()
    {
        var bucket = new TokenBucket(60, 1, Start);

        var grant = bucket.Lease(need: 100, ask: 100, Start);

        Assert.Equal(0, grant.Granted);
        Assert.Equal(TimeSpan.FromSeconds(60), grant.RetryAfter);
    }

    [Fact]
    public void Return_PutsBackUpToTheCapacity()
    {
        var bucket = new TokenBucket(10, 1, Start);
        bucket.Lease(6, 6, Start);

        bucket.Return(4, Start);
        Assert.Equal(8, bucket.Available(Start));
        bucket.Return(50, Start);
        Assert.Equal(10, bucket.Available(Start));
    }

    [Fact]
    public void Configure_SmallerCapacity_CutsWhatTheBucketHolds()
    {
        var bucket = new TokenBucket(100, 10, Start);

        bucket.Configure(20, 1, Start);

        Assert.Equal(20, bucket.Available(Start));
        Assert.Equal(20, bucket.Available(Start.AddSeconds(1)));
        Assert.Equal(1, bucket.RefillPerSecond);
    }
}
