namespace GrainServe.Embeddings;

public sealed class LengthBucketsTests
{
    [Fact]
    public void Plan_FractionOne_IsOneRunOfEveryRowShortestFirst()
    {
        var runs = LengthBuckets.Plan([40, 5, 12, 5], 1);

        Assert.Equal([[1, 3, 2, 0]], runs);
    }

    [Fact]
    public void Plan_FractionZero_IsOneRunPerDistinctLength()
    {
        var runs = LengthBuckets.Plan([7, 3, 7, 9, 3], 0);

        Assert.Equal([[1, 4], [0, 2], [3]], runs);
    }

    [Fact]
    public void Plan_CutsWherePaddingWouldPassTheFraction()
    {
        // 5, 6, 7 pad to 7: 3 of 21 tokens are padding (14%). Adding 48 would pad to 192 with 126 of padding (66%).
        var runs = LengthBuckets.Plan([5, 50, 6, 48, 7], 0.25);

        Assert.Equal([[0, 2, 4], [3, 1]], runs);
    }

    [Fact]
    public void Plan_EveryRowAppearsInExactlyOneRun_WithPaddingWithinTheFraction()
    {
        var random = new Random(7);
        var lengths = Enumerable.Range(0, 64).Select(_ => random.Next(2, 80)).ToArray();

        var runs = LengthBuckets.Plan(lengths, 0.25);

        Assert.Equal(Enumerable.Range(0, 64), runs.SelectMany(r => r).Order());
        foreach (var run in runs)
        {
            var padded = run.Length * run.Max(r => lengths[r]);
            var real = run.Sum(r => lengths[r]);
            Assert.True(padded - real <= 0.25 * padded, $"run of {run.Length} pads {padded - real} of {padded} tokens");
        }

        Assert.True(runs.Count < 16, $"{runs.Count} runs for 64 rows is more than the bound needs");
    }

    [Fact]
    public void Plan_NoRows_IsNoRuns()
    {
        Assert.Empty(LengthBuckets.Plan([], 0.25));
    }
}
