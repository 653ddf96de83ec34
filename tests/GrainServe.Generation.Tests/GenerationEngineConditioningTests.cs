using GrainServe.Generation.TestSupport;

namespace GrainServe.Generation;

/// <summary>
/// The seams an encoder-decoder model (Whisper) needs from the engine: a per-request logits processor, conditioning
/// state handed to the step model with every entry, and that state's KV reserved from the same pool.
/// </summary>
public sealed class GenerationEngineConditioningTests
{
    private static readonly FakeTokenDecoder Decoder = new();

    private static EngineOptions Options(long kvTokens = 4096) => new() { KvCacheBytes = kvTokens, MaxNumBatchedTokens = 64, MaxNumSeqs = 8, BlockSize = 16 };

    [Fact]
    public async Task Submit_LogitsProcessor_ForcesTokensAndLogprobsAreOfTheProcessedDistribution()
    {
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var plain = new GenerationRequest([2, 3], new SamplingParameters { Temperature = 0, MaxTokens = 4, Logprobs = true }, []);
        var forced = plain with { LogitsProcessor = new ForceFirst(7, 9) };

        var free = await Updates.ReadAllAsync(engine.Submit(plain, default));
        var updates = await Updates.ReadAllAsync(engine.Submit(forced, default));

        var tokens = updates.Tokens();
        Assert.Equal([7, 9], tokens[..2]);
        Assert.NotEqual(free.Tokens()[..2], tokens[..2]);

        // Forced tokens had all the processed mass: log-probability 0; the free ones follow the model.
        var logprobs = updates.SelectMany(u => u.Logprobs!).ToArray();
        Assert.Equal(0f, logprobs[0].Token.Logprob);
        Assert.Equal(0f, logprobs[1].Token.Logprob);
        Assert.True(logprobs[2].Token.Logprob < 0f);

        // After the forced prefix the model's own choice for that history resumes.
        var history = new List<int> { 2, 3, 7, 9 };
        var row = new float[FakeStepModel.Vocabulary];
        model.Logits(history, row);
        Assert.Equal(Sampler.ArgMax(row), tokens[2]);
    }

    [Fact]
    public async Task Submit_Conditioning_ReachesTheStepModelInEveryEntryOfItsSequence()
    {
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var first = new object();
        var second = new object();
        var a = engine.Submit(new GenerationRequest([2, 3, 4], new SamplingParameters { Temperature = 0, MaxTokens = 5 }, []) { Conditioning = first }, default);
        var b = engine.Submit(new GenerationRequest([5], new SamplingParameters { Temperature = 0, MaxTokens = 5 }, []) { Conditioning = second }, default);
        await Updates.ReadAllAsync(a);
        await Updates.ReadAllAsync(b);

        var entries = model.Steps.SelectMany(s => s.Entries).ToList();
        var ids = entries.Select(e => e.SequenceId).Distinct().Order().ToArray();
        Assert.Equal(2, ids.Length);
        Assert.All(entries.Where(e => e.SequenceId == ids[0]), e => Assert.Same(first, e.Conditioning));
        Assert.All(entries.Where(e => e.SequenceId == ids[1]), e => Assert.Same(second, e.Conditioning));
    }

    [Fact]
    public async Task Submit_StepOutputs_ReachTheStepModelInEveryEntryOfItsSequenceOnly()
    {
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var sink = new NullSink();
        var a = engine.Submit(new GenerationRequest([2, 3, 4], new SamplingParameters { Temperature = 0, MaxTokens = 3 }, []) { StepOutputs = sink }, default);
        var b = engine.Submit(new GenerationRequest([5], new SamplingParameters { Temperature = 0, MaxTokens = 3 }, []), default);
        await Updates.ReadAllAsync(a);
        await Updates.ReadAllAsync(b);

        var bySequence = model.Steps.SelectMany(s => s.Entries).GroupBy(e => e.SequenceId).OrderBy(g => g.Key).ToList();
        Assert.All(bySequence[0], e => Assert.Same(sink, e.Outputs));
        Assert.All(bySequence[1], e => Assert.Null(e.Outputs));
    }

    [Fact]
    public async Task Submit_ConditioningTokens_AreReservedFromThePool()
    {
        // 64 tokens of KV in blocks of 16 (4 blocks): each request needs 3 blocks from its admission on (40 tokens of
        // conditioning and a 2-token prompt), so however the two arrive, they never run together.
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options(kvTokens: 64));
        GenerationRequest Request(int token) => new([token, token], new SamplingParameters { Temperature = 0, MaxTokens = 4 }, []) { ConditioningTokens = 40 };

        var a = engine.Submit(Request(2), default);
        var b = engine.Submit(Request(3), default);
        await Updates.ReadAllAsync(a);
        await Updates.ReadAllAsync(b);

        Assert.All(model.Steps, s => Assert.Single(s.Entries.Select(e => e.SequenceId).Distinct()));
        Assert.Equal(2, model.Steps.SelectMany(s => s.Entries).Select(e => e.SequenceId).Distinct().Count());
    }

    [Fact]
    public async Task Validate_ConditioningPastThePool_IsRefusedWithItsReason()
    {
        await using var engine = new GenerationEngine(new FakeStepModel(), Decoder, Options(kvTokens: 64));
        var request = new GenerationRequest([2, 3], new SamplingParameters { Temperature = 0, MaxTokens = 4 }, []) { ConditioningTokens = 60 };

        var failure = engine.Validate(request);

        Assert.NotNull(failure);
        Assert.Contains("encoder state (60 tokens' worth)", failure);
        Assert.Null(engine.Validate(request with { ConditioningTokens = 58 }));
    }

    private sealed class ForceFirst(params int[] tokens) : ILogitsProcessor
    {
        public void Process(ReadOnlySpan<int> output, Span<float> logits)
        {
            if (output.Length < tokens.Length)
            {
                var keep = tokens[output.Length];
                for (var i = 0; i < logits.Length; i++)
                {
                    logits[i] = i == keep ? logits[i] : float.NegativeInfinity;
                }
            }
        }
    }

    private sealed class NullSink : IStepOutputSink
    {
        public void Receive(int start, int count, IReadOnlyList<StepOutput> outputs)
        {
        }
    }
}
