using System.Globalization;

namespace GrainServe.Models;

public sealed class VersionSelectorTests
{
    private static VersionSelector Selector(params (string Version, int Weight)[] weights) =>
        new(weights.Select(w => KeyValuePair.Create(w.Version, w.Weight)), new Random(12345));

    private static string[] Keys(int count) => Enumerable.Range(0, count).Select(i => $"user-{i.ToString(CultureInfo.InvariantCulture)}").ToArray();

    // Five standard deviations of a binomial count: a fixed seed makes the test deterministic, and the bound would
    // hold for almost any seed, so a change of hash or generator does not make it flaky.
    private static void AssertShare(int count, int trials, double share)
    {
        var expected = trials * share;
        var sigma = Math.Sqrt(trials * share * (1 - share));
        Assert.InRange(count, expected - (5 * sigma), expected + (5 * sigma));
    }

    [Fact]
    public void Pick_Weights_SplitsInProportion()
    {
        var selector = Selector(("1", 70), ("2", 20), ("3", 10));
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 20_000; i++)
        {
            var version = selector.Pick()!;
            counts[version] = counts.GetValueOrDefault(version) + 1;
        }

        AssertShare(counts["1"], 20_000, 0.7);
        AssertShare(counts["2"], 20_000, 0.2);
        AssertShare(counts["3"], 20_000, 0.1);
    }

    [Fact]
    public void Pick_WeightZero_NeverPicksIt()
    {
        var selector = Selector(("1", 0), ("2", 5));

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Equal("2", selector.Pick()));
        Assert.All(Keys(1000), key => Assert.Equal("2", selector.PickSticky(key)));
        Assert.Equal([KeyValuePair.Create("2", 5)], selector.Weights);
    }

    [Fact]
    public void Pick_AllZeroOrEmpty_ReturnsNull()
    {
        Assert.Null(Selector(("1", 0), ("2", 0)).Pick());
        Assert.Null(Selector(("1", 0)).PickSticky("user"));
        Assert.Null(Selector().Pick());
    }

    [Fact]
    public void ForReady_VersionNotReady_TakesNoTraffic()
    {
        var weights = new Dictionary<string, int> { ["1"] = 50, ["2"] = 50 };

        var selector = VersionSelector.ForReady(weights, new HashSet<string> { "2", "9" }, new Random(1));

        Assert.Equal([KeyValuePair.Create("2", 50)], selector.Weights);
        Assert.Equal("2", selector.Pick());
    }

    [Fact]
    public void PickSticky_SameKey_SameVersionAcrossSelectors()
    {
        var first = Selector(("1", 50), ("2", 30), ("3", 20));
        var second = new VersionSelector(new Dictionary<string, int> { ["3"] = 20, ["1"] = 50, ["2"] = 30 }, new Random(999));

        Assert.All(Keys(2000), key => Assert.Equal(first.PickSticky(key), second.PickSticky(key)));
    }

    [Fact]
    public void PickSticky_ManyKeys_SplitsInProportion()
    {
        var selector = Selector(("1", 60), ("2", 30), ("3", 10));
        var keys = Keys(20_000);

        var counts = keys.GroupBy(k => selector.PickSticky(k)!).ToDictionary(g => g.Key, g => g.Count());

        AssertShare(counts["1"], keys.Length, 0.6);
        AssertShare(counts["2"], keys.Length, 0.3);
        AssertShare(counts["3"], keys.Length, 0.1);
    }

    [Fact]
    public void PickSticky_RaisingOneWeight_OnlyMovesKeysOntoIt()
    {
        var keys = Keys(5000);
        var before = keys.Select(k => Selector(("1", 50), ("2", 40), ("3", 10)).PickSticky(k)).ToArray();
        foreach (var weight in new[] { 30, 60 })
        {
            var selector = Selector(("1", 50), ("2", 40), ("3", weight));
            var after = keys.Select(k => selector.PickSticky(k)).ToArray();

            var moved = Enumerable.Range(0, keys.Length).Where(i => after[i] != before[i]).ToList();
            Assert.NotEmpty(moved);
            Assert.All(moved, i => Assert.Equal("3", after[i]));
            before = after;
        }
    }

    [Fact]
    public void PickSticky_LoweringOneWeight_OnlyMovesKeysThatWereOnIt()
    {
        var keys = Keys(5000);
        var high = Selector(("1", 50), ("2", 40), ("3", 60));
        var low = Selector(("1", 50), ("2", 40), ("3", 10));

        var moved = keys.Where(k => high.PickSticky(k) != low.PickSticky(k)).ToList();

        Assert.NotEmpty(moved);
        Assert.All(moved, k => Assert.Equal("3", high.PickSticky(k)));
    }

    [Fact]
    public void PickSticky_VersionLeavesAndReturns_OnlyItsKeysMoveAndComeBack()
    {
        var keys = Keys(3000);
        var all = Selector(("1", 40), ("2", 40), ("3", 20));
        var without = Selector(("1", 40), ("2", 40));

        Assert.All(keys, k =>
        {
            if (all.PickSticky(k) != "3")
            {
                Assert.Equal(all.PickSticky(k), without.PickSticky(k));
            }
        });
    }

    [Fact]
    public void PickSticky_SimilarKeys_DoNotCollide()
    {
        // The separator keeps ("a", "12") and ("a1", "2") apart, so "user-1" on version "12" is not "user-11" on "2".
        var selector = Selector(("2", 1), ("12", 1));
        var counts = Keys(2000).GroupBy(k => selector.PickSticky(k)).ToDictionary(g => g.Key!, g => g.Count());

        AssertShare(counts["2"], 2000, 0.5);
    }

    [Fact]
    public void ShouldMirror_Percent_MirrorsThatShare()
    {
        var selector = Selector(("1", 1));

        var mirrored = Enumerable.Range(0, 20_000).Count(_ => selector.ShouldMirror(5));

        AssertShare(mirrored, 20_000, 0.05);
        Assert.DoesNotContain(Enumerable.Range(0, 1000), _ => selector.ShouldMirror(0));
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(selector.ShouldMirror(100)));
    }
}
