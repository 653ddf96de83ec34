using System.Threading.Channels;
using GrainServe.ModelBuilder;
using Xunit.Abstractions;

namespace GrainServe.Generation;

/// <summary>
/// The engine over a real fused GroupQueryAttention decoder (ONNX Runtime's CPU kernel): under continuous batching
/// every sequence's greedy tokens and their log-probabilities are those it decodes alone, and decodes at different positions share one session
/// run, where a plan that batches only rows at the same position would need one run per position.
/// </summary>
public sealed class FusedGroupQueryAttentionEngineTests(ITestOutputHelper output)
{
    private static readonly int[] PromptLengths = [1, 3, 7, 12, 20, 33, 45, 60, 2, 90];
    private static readonly int[] MaxTokens = [12, 20, 8, 16, 24, 10, 18, 6, 14, 9];
    private static readonly int[] WaveSizes = [3, 3, 4];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Engine_StaggeredMix_TokensEqualAloneAndDecodesAtDifferentPositionsShareARun(bool chunked)
    {
        using var repository = CodedLlamaRepository.Write(LlamaAttention.GroupQueryAttention);
        var prompts = PromptLengths.Select((length, i) => CodedLlamaRepository.Prompt(length, seed: 100 + i)).ToArray();
        (int[] Tokens, float[] Logprobs)[] alone;
        using (var single = CodedLlamaRepository.Load(repository))
        {
            alone = prompts.Select((prompt, i) => CodedLlamaRepository.GreedyAlone(single, i + 1, prompt, MaxTokens[i])).ToArray();
        }

        var recording = new RecordingStepModel(CodedLlamaRepository.Load(repository));
        var engine = new GenerationEngine(recording, new IdDecoder(), new EngineOptions
        {
            EnableChunkedPrefill = chunked,
            MaxNumSeqs = 8,
            MaxNumBatchedTokens = chunked ? 32 : 128,
            BlockSize = 16,
            KvCacheBytes = 1 << 20,
        });

        // Staggered: each wave is submitted once a sequence of the wave before has produced its first token.
        var reads = new List<Task<(List<int> Tokens, List<float> Logprobs)>>();
        var next = 0;
        foreach (var size in WaveSizes)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            for (var i = next; i < next + size; i++)
            {
                var request = new GenerationRequest(prompts[i], new SamplingParameters { Temperature = 0, MaxTokens = MaxTokens[i], Logprobs = true }, []);
                reads.Add(Tokens(engine.Submit(request, CancellationToken.None), started));
            }

            next += size;
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        var results = await Task.WhenAll(reads);
        await engine.DisposeAsync();

        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(alone[i].Tokens, results[i].Tokens);
            LogitsAssert.Close(alone[i].Logprobs, results[i].Logprobs.ToArray(), $"sequence {i + 1}");
        }

        // Per step: one run for all its decodes, one per chunk after a past, one per length of first chunks.
        var steps = recording.Steps;
        foreach (var step in steps)
        {
            Assert.Equal(FusedRuns(step.Entries), step.Runs);
        }

        var runs = steps.Sum(s => s.Runs);
        var samePositionRuns = steps.Sum(s => SamePositionRuns(s.Entries));
        var shared = steps.Count(s => s.Entries.Where(e => e.Tokens.Length == 1).Select(e => e.Start).Distinct().Count() > 1);
        output.WriteLine($"{steps.Count} engine steps, {runs} session runs; batching only rows at the same position: {samePositionRuns} runs; {shared} steps with decodes at different positions in one run");
        Assert.True(shared > 0, "no step had decodes at different positions: the mix does not test the right-padded plan");
        Assert.True(runs < samePositionRuns, $"{runs} session runs, no fewer than the {samePositionRuns} of the same-position plan");
    }

    // What the step model runs for a fused GroupQueryAttention layout.
    private static int FusedRuns(StepEntry[] entries) =>
        (entries.Any(e => e.Tokens.Length == 1) ? 1 : 0)
        + entries.Count(e => e.Tokens.Length > 1 && e.Start > 0)
        + entries.Where(e => e.Tokens.Length > 1 && e.Start == 0).Select(e => e.Tokens.Length).Distinct().Count();

    // What a plan that batches only rows at the same past and new lengths runs (still alone: chunks after a past).
    private static int SamePositionRuns(StepEntry[] entries) =>
        entries.Where(e => e.Tokens.Length == 1).Select(e => e.Start).Distinct().Count()
        + entries.Count(e => e.Tokens.Length > 1 && e.Start > 0)
        + entries.Where(e => e.Tokens.Length > 1 && e.Start == 0).Select(e => e.Tokens.Length).Distinct().Count();

    private static async Task<(List<int> Tokens, List<float> Logprobs)> Tokens(ChannelReader<GenerationUpdate> reader, TaskCompletionSource started)
    {
        var tokens = new List<int>();
        var logprobs = new List<float>();
        await foreach (var update in reader.ReadAllAsync())
        {
            tokens.AddRange(update.TokenIds);
            logprobs.AddRange(update.Logprobs?.Select(l => l.Token.Logprob) ?? []);
            if (tokens.Count > 0)
            {
                started.TrySetResult();
            }
        }

        started.TrySetResult();
        return (tokens, logprobs);
    }

    /// <summary>The real step model, with each step's entries and the session runs it took.</summary>
    private sealed class RecordingStepModel(OnnxDecoderStepModel inner) : ObservedStepModel(inner)
    {
        public List<(StepEntry[] Entries, int Runs)> Steps { get; } = [];

        public override StepLogits Run(IReadOnlyList<StepEntry> entries)
        {
            var before = Inner.SessionRuns;
            var logits = Inner.Run(entries);
            Steps.Add(([.. entries], (int)(Inner.SessionRuns - before)));
            return logits;
        }
    }
}
