namespace GrainServe.Gpu;

public sealed class EvictionPolicyTests
{
    private const long Gib = 1L << 30;

    private static readonly DateTimeOffset Now = new(2026, 1, 1, 1, 0, 0, TimeSpan.Zero);

    private static EvictionCandidate Candidate(
        string id,
        string model,
        double idleMinutes,
        long bytes = Gib,
        string version = "1",
        int ongoing = 0,
        bool mayLeave = true,
        double loadedMinutesAgo = 30) =>
        new(id, model, version, bytes, Now.AddMinutes(-idleMinutes), Now.AddMinutes(-loadedMinutesAgo), ongoing, mayLeave);

    private static EvictionPlan Plan(long needed, long free, params EvictionCandidate[] candidates) =>
        EvictionPolicy.Plan(needed, free, candidates, "loading", Now, EvictionPolicy.DefaultMinAge);

    [Fact]
    public void Plan_FitsAlready_EvictsNothing()
    {
        var plan = Plan(Gib, 2 * Gib, Candidate("a", "m", 10));

        Assert.True(plan.Fits);
        Assert.Empty(plan.Evict);
    }

    [Fact]
    public void Plan_NeedsRoom_EvictsLeastRecentlyUsedUntilItFits()
    {
        var plan = Plan(3 * Gib, Gib, Candidate("recent", "a", 1), Candidate("oldest", "b", 20), Candidate("older", "c", 10));

        Assert.True(plan.Fits);
        Assert.Equal(["oldest", "older"], plan.Evict.Select(c => c.InstanceId));
    }

    [Fact]
    public void Plan_BusyYoungNeededOrOwn_AreNeverEvicted()
    {
        var plan = Plan(
            2 * Gib,
            Gib,
            Candidate("busy", "a", 60, ongoing: 1),
            Candidate("young", "b", 60, loadedMinutesAgo: 0.1),
            Candidate("needed", "c", 60, mayLeave: false),
            Candidate("own", "loading", 60, version: "2"),
            Candidate("ok", "d", 1));

        Assert.Equal(["ok"], plan.Evict.Select(c => c.InstanceId));
    }

    [Fact]
    public void Plan_CannotFitEvenWithEveryCandidate_EvictsNothingAndSaysWhy()
    {
        var plan = Plan(
            8 * Gib,
            Gib,
            Candidate("idle", "a", 60),
            Candidate("busy", "b", 60, ongoing: 3),
            Candidate("own", "loading", 60));

        Assert.False(plan.Fits);
        Assert.Empty(plan.Evict);
        Assert.Equal("needs 8192 MiB with 1024 MiB free; unloading every evictable instance frees only 1024 MiB more (3 loaded: 1 busy, 1 of 'loading' itself)", plan.Reason);
    }

    [Fact]
    public void Plan_TwoInstancesOfOneVersion_EvictsOnlyOne()
    {
        var plan = Plan(3 * Gib, Gib, Candidate("a1", "a", 60), Candidate("a2", "a", 50), Candidate("b", "b", 10));

        Assert.Equal(["a1", "b"], plan.Evict.Select(c => c.InstanceId));
    }

    [Fact]
    public void Plan_EqualLastUse_OrdersByLoadTimeThenId()
    {
        var plan = Plan(
            4 * Gib,
            Gib,
            Candidate("z", "a", 5, loadedMinutesAgo: 40),
            Candidate("y", "b", 5, loadedMinutesAgo: 50),
            Candidate("x", "c", 5, loadedMinutesAgo: 40));

        Assert.Equal(["y", "x", "z"], plan.Evict.Select(c => c.InstanceId));
    }

    [Fact]
    public void Plan_MinAge_IsTheCallersChoice()
    {
        var candidate = Candidate("a", "a", 0, loadedMinutesAgo: 1);

        Assert.Empty(EvictionPolicy.Plan(2 * Gib, Gib, [candidate], "loading", Now, TimeSpan.FromMinutes(5)).Evict);
        Assert.Single(EvictionPolicy.Plan(2 * Gib, Gib, [candidate], "loading", Now, TimeSpan.FromSeconds(30)).Evict);
    }
}
