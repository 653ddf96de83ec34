using GrainServe.Generation.TestSupport;

namespace GrainServe.Generation;

/// <summary>
/// The seam XTTS needs from the engine: a step model that gives hidden states beside its logits has each one handed to
/// its sequence with the token those logits chose, whatever else shares the step.
/// </summary>
public sealed class GenerationEngineHiddenStateTests
{
    private static readonly FakeTokenDecoder Decoder = new();

    [Fact]
    public async Task Submit_StepModelWithHiddenStates_EachUpdateCarriesTheStateThatChoseItsToken()
    {
        using var model = new HiddenStepModel(new FakeStepModel());
        await using var engine = new GenerationEngine(model, Decoder, new EngineOptions { KvCacheBytes = 4096, MaxNumBatchedTokens = 64, MaxNumSeqs = 8, BlockSize = 16 });
        var a = engine.Submit(new GenerationRequest([2, 3, 4], new SamplingParameters { Temperature = 0, MaxTokens = 6 }, []), default);
        var b = engine.Submit(new GenerationRequest([5], new SamplingParameters { Temperature = 0, MaxTokens = 4 }, []), default);

        foreach (var (updates, prompt) in new[] { (await Updates.ReadAllAsync(a), 3), (await Updates.ReadAllAsync(b), 1) })
        {
            var tokens = updates.Tokens();
            var states = updates.SelectMany(u => u.HiddenStates!).ToArray();
            Assert.Equal(tokens.Length, states.Length);
            for (var i = 0; i < states.Length; i++)
            {
                // The state of the position after prompt + i tokens: the one whose logits picked token i.
                Assert.Equal(prompt + i, states[i][0]);
            }
        }
    }

    [Fact]
    public async Task Submit_StepModelWithoutHiddenStates_LeavesThemNull()
    {
        await using var engine = new GenerationEngine(new FakeStepModel(), Decoder, new EngineOptions { KvCacheBytes = 4096, MaxNumBatchedTokens = 64, MaxNumSeqs = 8, BlockSize = 16 });

        var updates = await Updates.ReadAllAsync(engine.Submit(new GenerationRequest([2], new SamplingParameters { Temperature = 0, MaxTokens = 3 }, []), default));

        Assert.All(updates, u => Assert.Null(u.HiddenStates));
    }

    // The fake's logits plus a two-wide hidden row per logits row: [tokens the sequence holds after the entry, its last token].
    private sealed class HiddenStepModel(FakeStepModel inner) : IStepModel
    {
        public int VocabularySize => inner.VocabularySize;

        public int MaxContextLength => inner.MaxContextLength;

        public long KvBytesPerToken => inner.KvBytesPerToken;

        public StepLogits Run(IReadOnlyList<StepEntry> entries)
        {
            var logits = inner.Run(entries);
            var data = new float[logits.Rows * logits.VocabularySize];
            var hidden = new float[logits.Rows * 2];
            var row = 0;
            foreach (var entry in entries.Where(e => e.NeedsLogits))
            {
                logits.Row(row).CopyTo(data.AsSpan(row * logits.VocabularySize));
                hidden[row * 2] = entry.Start + entry.Tokens.Length;
                hidden[(row * 2) + 1] = entry.Tokens.Span[^1];
                row++;
            }

            return new StepLogits(data, logits.Rows, logits.VocabularySize, hidden, 2);
        }

        public void Release(long sequenceId) => inner.Release(sequenceId);

        public void Dispose() => inner.Dispose();
    }
}
