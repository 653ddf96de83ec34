namespace GrainServe.Speech.Whisper;

/// <summary>Whisper's beam search over a hand-built model: a table of next-token probabilities per prefix.</summary>
public sealed class BeamSearchTests
{
    private const int End = 9;

    // Greedy takes 1 (0.55) and then can only go on at 0.35; 2 (0.45) is followed by near-certain tokens, so its
    // sequence [2, 6] scores log(0.45 · 0.99 · 0.99) / 2 = −0.41 per token against greedy's log(0.55 · 0.35) / 2 = −0.82.
    private static readonly Dictionary<string, (int Token, double P)[]> Table = new()
    {
        [""] = [(1, 0.55), (2, 0.45)],
        ["1"] = [(3, 0.35), (4, 0.35), (5, 0.3)],
        ["1,3"] = [(End, 1.0)],
        ["1,4"] = [(End, 1.0)],
        ["1,5"] = [(End, 1.0)],
        ["2"] = [(6, 0.99), (End, 0.01)],
        ["2,6"] = [(End, 0.99), (7, 0.01)],
        ["2,6,7"] = [(End, 1.0)],
    };

    private static Task<IReadOnlyList<IReadOnlyList<(int Token, double Logprob)>>> Model(IReadOnlyList<int[]> prefixes, CancellationToken cancellationToken)
    {
        IReadOnlyList<IReadOnlyList<(int, double)>> answers = prefixes
            .Select(p => (IReadOnlyList<(int, double)>)[.. Table[string.Join(',', p)].OrderByDescending(c => c.P).Select(c => (c.Token, Math.Log(c.P)))])
            .ToList();
        return Task.FromResult(answers);
    }

    private static (int[] Tokens, double SumLogprob) Greedy()
    {
        var tokens = new List<int>();
        var sum = 0.0;
        while (true)
        {
            var (token, p) = Table[string.Join(',', tokens)].MaxBy(c => c.P);
            sum += Math.Log(p);
            if (token == End)
            {
                return ([.. tokens], sum);
            }

            tokens.Add(token);
        }
    }

    [Fact]
    public async Task Search_BeamOfOne_EqualsGreedy()
    {
        var (tokens, sum) = await BeamSearch.SearchAsync(1, 10, End, Model);

        var (greedyTokens, greedySum) = Greedy();
        Assert.Equal(greedyTokens, tokens);
        Assert.Equal(greedySum, sum, 12);
    }

    [Fact]
    public async Task Search_BeamOfTwo_FindsTheLikelierSequenceGreedyMisses()
    {
        var (tokens, sum) = await BeamSearch.SearchAsync(2, 10, End, Model);

        Assert.Equal([1, 3], Greedy().Tokens);
        Assert.Equal([2, 6], tokens);
        Assert.Equal(Math.Log(0.45) + Math.Log(0.99) + Math.Log(0.99), sum, 12);
    }

    [Fact]
    public async Task Search_StoppedByTheTokenCap_EndsTheBestBeamsThere()
    {
        var (tokens, sum) = await BeamSearch.SearchAsync(2, 1, End, Model);

        // After one step neither beam has ended: both count as ended, and the ranker takes the better per token.
        Assert.Equal([1], tokens);
        Assert.Equal(Math.Log(0.55), sum, 12);
    }

    [Fact]
    public void TopCandidates_AreTheLikeliestWithTheirLogSoftmax_LikeliestFirst()
    {
        float[] logits = [1f, 3f, float.NegativeInfinity, 2f];

        var top = BeamSearch.TopCandidates(logits, 2);

        var logSum = Math.Log(Math.Exp(1) + Math.Exp(3) + Math.Exp(2));
        Assert.Equal([1, 3], top.Select(t => t.Token));
        Assert.Equal(3 - logSum, top[0].Logprob, 6);
        Assert.Equal(2 - logSum, top[1].Logprob, 6);
    }

    [Fact]
    public void Rank_TakesTheBestSumPerToken()
    {
        var best = BeamSearch.Rank([([1, 2, 3], -3.0), ([4], -1.5), ([5, 6], -1.8)]);

        Assert.Equal([5, 6], best.Tokens);
    }
}
