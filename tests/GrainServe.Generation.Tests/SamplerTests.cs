using GrainServe.Generation.TestSupport;

namespace GrainServe.Generation;

public sealed class SamplerTests
{
    private static readonly SamplingParameters Greedy = new() { Temperature = 0 };

    private static int Draw(float[] logits, SamplingParameters sampling, SequenceRandom random, int[]? output = null) =>
        new Sampler().Sample(logits, [], output ?? [], sampling, random);

    [Fact]
    public void Sample_GreedyTie_TakesTheLowestId()
    {
        Assert.Equal(1, Draw([1f, 3f, 3f, 2f], Greedy, new SequenceRandom(1)));
    }

    [Fact]
    public void Sample_TemperatureUnderVllmsEpsilon_IsGreedyNotOverflow()
    {
        // 1 / 1e-39 overflows float: without the epsilon the scaled logits are infinities and the draw picks garbage.
        Assert.Equal(2, Draw([40f, 41f, 45f, -3f], new SamplingParameters { Temperature = 1e-39f }, new SequenceRandom(3)));
    }

    [Fact]
    public void Filter_MinPBeforeTopP_AsVllmV1()
    {
        // Probabilities .5, .3, .2. min_p .5 first (cut under .25) leaves {.5, .3}; top_p .6 over them renormalized
        // (.625, .375) keeps only the first. Top-p first would keep {.5, .3} (mass .8), which min-p then leaves alone.
        var logits = new[] { MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.2f) };
        var filter = new LogitsFilter();
        filter.Apply(logits, 3, new SamplingParameters { Temperature = 1, TopP = 0.6f, MinP = 0.5f });

        Assert.Equal([0], Enumerable.Range(0, 3).Where(i => !float.IsNegativeInfinity(logits[i])));
    }

    [Fact]
    public void Sample_TopKOne_IsGreedy()
    {
        var random = new Random(5);
        var sampler = new Sampler();
        var rng = new SequenceRandom(9);
        for (var i = 0; i < 200; i++)
        {
            var logits = Enumerable.Range(0, 30).Select(_ => (float)random.Next(-5, 5)).ToArray();
            var token = sampler.Sample(logits, [], [], new SamplingParameters { Temperature = 1.3f, TopK = 1 }, rng);
            Assert.Equal(Sampler.ArgMax(logits), token);
        }
    }

    [Fact]
    public void Sample_TinyTopP_IsGreedy()
    {
        var random = new Random(6);
        var sampler = new Sampler();
        var rng = new SequenceRandom(10);
        for (var i = 0; i < 200; i++)
        {
            var logits = Enumerable.Range(0, 30).Select(_ => (float)random.Next(-5, 5)).ToArray();
            var token = sampler.Sample(logits, [], [], new SamplingParameters { Temperature = 0.8f, TopP = 1e-6f }, rng);
            Assert.Equal(Sampler.ArgMax(logits), token);
        }
    }

    [Fact]
    public void ApplyPenalties_AllThree_ChangeLogitsAsSpecified()
    {
        float[] logits = [2f, -2f, 1f, 0.5f];
        var sampling = new SamplingParameters { RepetitionPenalty = 2f, FrequencyPenalty = 0.5f, PresencePenalty = 0.25f };

        new Sampler().ApplyPenalties(logits, [0], [1, 1, 2], sampling);

        // 0: prompt only, positive, halved. 1: output twice, negative, doubled, then -2*0.5 - 0.25.
        // 2: output once, halved, then -0.5 - 0.25. 3: untouched.
        Assert.Equal([1f, -5.25f, -0.25f, 0.5f], logits);
    }

    [Fact]
    public void ApplyPenalties_RepetitionOnRepeatedToken_AppliesOnce()
    {
        float[] logits = [4f, -1f];

        new Sampler().ApplyPenalties(logits, [0, 0, 1], [0, 1, 1], new SamplingParameters { RepetitionPenalty = 2f });

        Assert.Equal([2f, -2f], logits);
    }

    [Fact]
    public void ApplyPenalties_PresenceAndFrequency_IgnoreThePrompt()
    {
        float[] logits = [1f, 1f];

        new Sampler().ApplyPenalties(logits, [0, 0, 0], [1], new SamplingParameters { FrequencyPenalty = 1f, PresencePenalty = 1f });

        Assert.Equal([1f, -1f], logits);
    }

    [Fact]
    public void Sample_PenaltyMovesTheArgMax_GreedyFollowsThePenalizedLogits()
    {
        Assert.Equal(1, Draw([2f, 1.5f], new SamplingParameters { Temperature = 0, FrequencyPenalty = 1f }, new SequenceRandom(1), [0]));
    }

    [Fact]
    public void Logprobs_AnySampling_AreLogSoftmaxOfTheRawLogits()
    {
        float[] logits = [1f, 3f, 3f, 0f, -2f];
        var logSum = Math.Log(logits.Sum(x => Math.Exp(x)));

        var result = new Sampler().Logprobs(logits, 3, 3, new FakeTokenDecoder());

        Assert.Equal(3, result.Token.TokenId);
        Assert.Equal(0 - logSum, result.Token.Logprob, 5);
        Assert.Equal([1, 2, 0], result.Top.Select(t => t.TokenId));
        Assert.Equal(3 - logSum, result.Top[0].Logprob, 5);
        Assert.Equal(1 - logSum, result.Top[2].Logprob, 5);
        Assert.Equal("</s>", result.Top[2].Text);
    }

    [Fact]
    public void Logprobs_NoTopAsked_ReturnsOnlyTheChosen()
    {
        var result = new Sampler().Logprobs([0f, 0f], 1, 0, new FakeTokenDecoder());

        Assert.Empty(result.Top);
        Assert.Equal(Math.Log(0.5), result.Token.Logprob, 5);
    }

    [Fact]
    public void Sample_SameSeed_SameDraws()
    {
        var random = new Random(3);
        var logits = Enumerable.Range(0, 50).Select(_ => (float)random.NextDouble() * 3).ToArray();
        var sampling = new SamplingParameters { Temperature = 1f, TopP = 0.9f, TopK = 20, MinP = 0.05f };

        int[] Run(long seed)
        {
            var rng = new SequenceRandom(seed);
            var sampler = new Sampler();
            return [.. Enumerable.Range(0, 100).Select(_ => sampler.Sample(logits, [], [], sampling, rng))];
        }

        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void Sample_MinP_NeverDrawsBelowTheCutoff()
    {
        var rng = new SequenceRandom(4);
        var sampler = new Sampler();
        var sampling = new SamplingParameters { MinP = 0.5f };
        var drawn = Enumerable.Range(0, 500).Select(_ => sampler.Sample([0f, -0.1f, -1f, -10f], [], [], sampling, rng)).ToHashSet();

        Assert.Equal([0, 1], drawn.Order());
    }

    [Fact]
    public void Sample_TopK_NeverDrawsOutsideTheK()
    {
        var rng = new SequenceRandom(5);
        var sampler = new Sampler();
        var sampling = new SamplingParameters { TopK = 2, Temperature = 5f };
        var drawn = Enumerable.Range(0, 500).Select(_ => sampler.Sample([0f, 1f, 0.5f, 0.9f], [], [], sampling, rng)).ToHashSet();

        Assert.Equal([1, 3], drawn.Order());
    }

    [Fact]
    public void Sample_TemperatureOne_DrawsBySoftmax()
    {
        var rng = new SequenceRandom(6);
        var sampler = new Sampler();
        var sampling = new SamplingParameters();
        var ones = Enumerable.Range(0, 4000).Count(_ => sampler.Sample([0f, MathF.Log(3f)], [], [], sampling, rng) == 1);

        Assert.InRange(ones / 4000.0, 0.72, 0.78);
    }

    [Fact]
    public void Sample_LowTemperature_ConcentratesOnTheArgMax()
    {
        var rng = new SequenceRandom(7);
        var sampler = new Sampler();
        var sampling = new SamplingParameters { Temperature = 0.05f };

        Assert.All(Enumerable.Range(0, 200), _ => Assert.Equal(1, sampler.Sample([0f, 1f, 0.5f], [], [], sampling, rng)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Filtered_RandomLogitsWithTies_KeepsWhatAFullSortKeeps(int seed)
    {
        var random = new Random(seed);
        var sampler = new Sampler();
        for (var round = 0; round < 300; round++)
        {
            var vocabulary = random.Next(1, 400);
            var logits = Enumerable.Range(0, vocabulary).Select(_ => random.Next(4) == 0 ? 1f : (float)(random.NextDouble() * 8)).ToArray();
            var sampling = new SamplingParameters
            {
                Temperature = 0.3f + (float)random.NextDouble(),
                TopK = random.Next(3) == 0 ? 0 : random.Next(1, vocabulary + 2),
                TopP = random.Next(3) == 0 ? 1f : (float)random.NextDouble() + 0.01f,
                MinP = random.Next(3) == 0 ? (float)random.NextDouble() * 0.5f : 0f,
            };

            var kept = Kept(sampler.Filtered(logits, sampling));

            Assert.Equal(NaiveKept(logits, sampling), kept);
        }
    }

    private static int[] Kept(float[] filtered) => [.. Enumerable.Range(0, filtered.Length).Where(i => !float.IsNegativeInfinity(filtered[i]))];

    // The filters as written in vLLM, by sorting everything: value descending, lower id first on a tie.
    private static int[] NaiveKept(float[] logits, SamplingParameters sampling)
    {
        var x = logits.Select(v => v / sampling.Temperature).ToArray();
        // vLLM V1's order: min-p right after temperature, then top-k, then top-p.
        var order = Enumerable.Range(0, x.Length).OrderByDescending(i => x[i]).ThenBy(i => i).ToList();
        if (sampling.MinP > 0f)
        {
            var top = x.Max();
            order = order.Where(i => x[i] >= top + MathF.Log(sampling.MinP)).ToList();
        }

        var k = sampling.TopK > 0 ? Math.Min(sampling.TopK, x.Length) : x.Length;
        var kept = order.Take(k).ToList();
        if (sampling.TopP < 1f)
        {
            var max = kept.Max(i => x[i]);
            var sum = kept.Sum(i => Math.Exp(x[i] - max));
            var mass = 0.0;
            var keep = kept.Count;
            for (var j = 0; j < kept.Count; j++)
            {
                mass += Math.Exp(x[kept[j]] - max) / sum;
                if (mass >= sampling.TopP)
                {
                    keep = j + 1;
                    break;
                }
            }

            kept = kept.Take(keep).ToList();
        }

        return [.. kept.Order()];
    }
}
