using GrainServe.Generation.TestSupport;

namespace GrainServe.Generation;

/// <summary>
/// Kept caches and forks (beam search's seam): a sequence that forks from a kept cache computes only what its prompt
/// adds, generates exactly what a full prefill generates (the fake's logits hash the whole cached history), and kept
/// caches hold their blocks until handed back, or until the pool needs them.
/// </summary>
public sealed class GenerationEngineForkTests
{
    private static readonly FakeTokenDecoder Decoder = new();

    private static EngineOptions Options(long kvTokens = 4096) => new() { KvCacheBytes = kvTokens, MaxNumBatchedTokens = 64, MaxNumSeqs = 8, BlockSize = 16 };

    private static GenerationRequest Request(int[] prompt, int maxTokens = 4) => new(prompt, new SamplingParameters { Temperature = 0, MaxTokens = maxTokens }, []);

    private static async Task WaitForAsync(GenerationEngine engine, Func<EngineSnapshot, bool> condition)
    {
        for (var i = 0; i < 200 && !condition(engine.Snapshot()); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition(engine.Snapshot()), $"the engine's figures never got there: {engine.Snapshot()}");
    }

    [Fact]
    public async Task Submit_ForkFromKeptCache_ComputesOnlyTheNewTokensAndGeneratesWhatAPrefillDoes()
    {
        int[] prompt = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var kept = new RetainedKvCache();
        var parent = (await Updates.ReadAllAsync(engine.Submit(Request(prompt, 3) with { RetainCache = kept }, default))).Tokens();
        int[] childPrompt = [.. prompt, .. parent[..2]];

        var child = (await Updates.ReadAllAsync(engine.Submit(Request(childPrompt) with { ForkFrom = kept }, default))).Tokens();

        var reference = new FakeStepModel();
        await using (var plain = new GenerationEngine(reference, Decoder, Options()))
        {
            Assert.Equal((await Updates.ReadAllAsync(plain.Submit(Request(childPrompt), default))).Tokens(), child);
        }

        // The parent's cache held its prompt and two of its tokens (the third was sampled, never fed): all of the
        // child's prompt but its last token, so the child's first entry feeds one token.
        var fork = Assert.Single(model.Forks);
        Assert.EndsWith($" {childPrompt.Length - 1}", fork, StringComparison.Ordinal);
        var childId = model.Steps.SelectMany(s => s.Entries).Max(e => e.SequenceId);
        var firstEntry = model.Steps.SelectMany(s => s.Entries).First(e => e.SequenceId == childId);
        Assert.Equal(childPrompt.Length - 1, firstEntry.Start);
        Assert.Equal(1, firstEntry.Tokens);
        var snapshot = engine.Snapshot();
        Assert.Equal(childPrompt.Length - 1, snapshot.ForkedTokens);
        Assert.Equal(1, snapshot.RetainedCaches);

        engine.Release(kept);
        await WaitForAsync(engine, s => s is { RetainedCaches: 0, UsedBlocks: 0 });
        Assert.Equal(0, model.CachedSequences);
    }

    [Fact]
    public async Task Submit_ForkOnAModelThatCannotCopy_PrefillsTheWholePromptAndGeneratesTheSame()
    {
        int[] prompt = [5, 6, 7, 8];
        var model = new FakeStepModel { SupportsFork = false };
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var kept = new RetainedKvCache();
        var parent = (await Updates.ReadAllAsync(engine.Submit(Request(prompt, 2) with { RetainCache = kept }, default))).Tokens();
        int[] childPrompt = [.. prompt, parent[0]];

        var child = (await Updates.ReadAllAsync(engine.Submit(Request(childPrompt) with { ForkFrom = kept }, default))).Tokens();
        engine.Release(kept);

        var reference = new FakeStepModel();
        await using (var plain = new GenerationEngine(reference, Decoder, Options()))
        {
            Assert.Equal((await Updates.ReadAllAsync(plain.Submit(Request(childPrompt), default))).Tokens(), child);
        }

        var childId = model.Steps.SelectMany(s => s.Entries).Max(e => e.SequenceId);
        Assert.Equal(0, model.Steps.SelectMany(s => s.Entries).First(e => e.SequenceId == childId).Start);
        Assert.Equal(0, engine.Snapshot().ForkedTokens);
        await WaitForAsync(engine, s => s is { RetainedCaches: 0, UsedBlocks: 0 });
    }

    [Fact]
    public async Task Submit_PoolShortWithAKeptCache_DropsTheKeptCacheRatherThanPreempting()
    {
        // 64 tokens of pool: the kept parent holds a block, and the next request needs all four.
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options(kvTokens: 64));
        var kept = new RetainedKvCache();
        await Updates.ReadAllAsync(engine.Submit(Request([2, 3, 4], 2) with { RetainCache = kept }, default));
        Assert.Equal(1, engine.Snapshot().UsedBlocks);

        var big = await Updates.ReadAllAsync(engine.Submit(Request([.. Enumerable.Range(1, 40)], 20), default));

        Assert.Equal(20, big.Tokens().Length);
        var snapshot = engine.Snapshot();
        Assert.Equal(0, snapshot.Preemptions);
        Assert.Equal(0, snapshot.RetainedCaches);

        // A fork from the dropped cache prefills, and generates what it would have anyway.
        var child = await Updates.ReadAllAsync(engine.Submit(Request([2, 3, 4, 9]) with { ForkFrom = kept }, default));
        Assert.Equal(4, child.Tokens().Length);
        Assert.Equal(0, engine.Snapshot().ForkedTokens);
        engine.Release(kept);
        await WaitForAsync(engine, s => s.UsedBlocks == 0);
    }

    [Fact]
    public async Task Release_BeforeAQueuedForkRuns_KeepsTheCacheUntilTheForkHasCopiedIt()
    {
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var kept = new RetainedKvCache();
        var parent = (await Updates.ReadAllAsync(engine.Submit(Request([4, 5, 6], 2) with { RetainCache = kept }, default))).Tokens();

        var child = engine.Submit(Request([4, 5, 6, parent[0]]) with { ForkFrom = kept }, default);
        engine.Release(kept);
        await Updates.ReadAllAsync(child);

        Assert.Single(model.Forks);
        await WaitForAsync(engine, s => s is { RetainedCaches: 0, UsedBlocks: 0 });
        Assert.Equal(0, model.CachedSequences);
    }

    [Fact]
    public async Task Submit_CancelledSequence_IsNotKept()
    {
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options());
        using var cancel = new CancellationTokenSource();
        var kept = new RetainedKvCache();
        model.BeforeStep = step =>
        {
            if (step == 1)
            {
                cancel.Cancel();
            }
        };

        await Updates.ReadAllAsync(engine.Submit(Request([2, 3], 50) with { RetainCache = kept }, cancel.Token));

        await WaitForAsync(engine, s => s is { RetainedCaches: 0, UsedBlocks: 0, Running: 0 });
        Assert.Equal(0, model.CachedSequences);
    }
}
