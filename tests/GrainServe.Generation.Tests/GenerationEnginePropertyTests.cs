using GrainServe.Generation.TestSupport;

namespace GrainServe.Generation;

/// <summary>
/// Random workloads against the plain reference loop: whatever the batching, chunking, preemption and cancellation,
/// every sequence generates exactly what it would alone, and every step keeps the engine's limits.
/// </summary>
public sealed class GenerationEnginePropertyTests
{
    private static readonly FakeTokenDecoder Decoder = new();

    public static TheoryData<int, bool> Mixes()
    {
        var data = new TheoryData<int, bool>();
        for (var seed = 1; seed <= 6; seed++)
        {
            data.Add(seed, true);
            data.Add(seed, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Mixes))]
    public async Task Submit_RandomMix_EverySequenceMatchesTheReferenceAndStepsKeepTheLimits(int seed, bool chunked)
    {
        var random = new Random(seed * 7919);
        var options = new EngineOptions
        {
            EnableChunkedPrefill = chunked,
            MaxNumSeqs = random.Next(2, 7),
            // Without chunking a prompt past the budget runs alone, so a bigger budget is what lets several share the pool.
            MaxNumBatchedTokens = chunked ? random.Next(16, 160) : random.Next(64, 400),
            BlockSize = random.Next(1, 3) * 8,

            // Room for the longest sequence (300 + 40, in 16-token blocks) and a little more: long ones force preemptions.
            KvCacheBytes = random.Next(352, 640),
        };
        var model = new FakeStepModel { EosEvery = 25, BlockSize = options.BlockSize };
        var requests = Enumerable.Range(0, 24).Select(i => RandomRequest(random, i)).ToList();
        var sources = requests.Select(_ => new CancellationTokenSource()).ToList();

        // Cancelled from the loop itself (the engine runs far ahead of readers), after the k-th token of the sequence;
        // ids are 1, 2, ... in submission order.
        var cancelAfter = requests.Select(_ => random.Next(5) == 0 ? random.Next(1, 4) : 0).ToArray();
        var cancelledAtStep = requests.Select(_ => -1).ToArray();
        var sampled = new int[requests.Count];
        model.BeforeStep = step =>
        {
            foreach (var entry in model.Steps[step].Entries.Where(e => e.NeedsLogits))
            {
                var index = (int)entry.SequenceId - 1;
                if (++sampled[index] == cancelAfter[index])
                {
                    cancelledAtStep[index] = step;
                    sources[index].Cancel();
                }
            }
        };
        var engine = new GenerationEngine(model, Decoder, options);
        var reads = new List<Task<List<GenerationUpdate>>>();

        // Staggered: each wave is submitted once a sequence of the wave before has produced its first token.
        for (var wave = 0; wave < 4; wave++)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            for (var i = wave * 6; i < (wave + 1) * 6; i++)
            {
                reads.Add(Updates.ReadAllAsync(engine.Submit(requests[i], sources[i].Token), _ => started.TrySetResult()));
            }

            await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        var results = await Task.WhenAll(reads);
        await engine.DisposeAsync();

        Assert.Empty(model.Violations);
        for (var i = 0; i < requests.Count; i++)
        {
            var expected = ReferenceLoop.Generate(model, requests[i], engine.MaxSequenceTokens);
            var actual = results[i].Tokens();
            var finish = results[i][^1].Finish;

            // A sequence cancelled before its natural end must end Cancelled.
            Assert.Equal(cancelAfter[i] > 0 && cancelAfter[i] < expected.Count, finish == FinishReason.Cancelled);
            if (finish == FinishReason.Cancelled)
            {
                // It kept the token of the step it was cancelled in and was released before the next step ran.
                Assert.Equal(cancelAfter[i], actual.Length);
                Assert.Equal(expected.Take(actual.Length), actual);
                var release = model.Events.IndexOf($"release {i + 1}");
                var next = model.Events.IndexOf($"run {cancelledAtStep[i] + 1}");
                Assert.True(release >= 0 && (next < 0 || release < next), $"sequence {i + 1} released late");
            }
            else
            {
                Assert.Equal(expected, actual);
                Assert.Equal(expected.Count, results[i][^1].CompletionTokens);
                Assert.Equal(expected[^1] == FakeTokenDecoder.Eos ? FinishReason.EndOfSequence : FinishReason.Length, finish);
                var visible = expected[^1] == FakeTokenDecoder.Eos ? expected[..^1] : expected;
                // The first output byte may complete a character the prompt began, so text is the whole decode's tail.
                var promptText = Decoder.Decode(requests[i].PromptTokens, skipSpecialTokens: true);
                Assert.Equal(Decoder.Decode([.. requests[i].PromptTokens, .. visible], skipSpecialTokens: true)[promptText.Length..], results[i].Text());
            }
        }

        var totalBlocks = engine.Snapshot().TotalBlocks;
        foreach (var step in model.Steps)
        {
            Assert.True(step.Entries.Length <= options.MaxNumSeqs);
            Assert.True(step.Tokens <= options.MaxNumBatchedTokens || (!chunked && step.Entries.Length == 1), $"step {step.Step}: {step.Tokens} tokens");
        }

        Assert.True(model.MaxBlocksHeld <= totalBlocks);
        var snapshot = engine.Snapshot();
        Assert.Equal(0, snapshot.UsedBlocks);
        Assert.Equal(0, model.CachedSequences);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Submit_PoolTooSmallForAll_PreemptsAndStillMatchesTheReference(bool chunked)
    {
        // Four blocks of 16 tokens; each sequence grows to 50 tokens (4 blocks): only one fits at a time when grown.
        var options = new EngineOptions { EnableChunkedPrefill = chunked, MaxNumSeqs = 4, MaxNumBatchedTokens = 64, BlockSize = 16, KvCacheBytes = 64 };
        var model = new FakeStepModel { BlockSize = 16 };
        var engine = new GenerationEngine(model, Decoder, options);
        var random = new Random(11);
        var requests = Enumerable.Range(0, 6).Select(i => new GenerationRequest(
            [.. Enumerable.Range(0, 10).Select(_ => random.Next(2, FakeStepModel.Vocabulary))],
            i % 2 == 0 ? new SamplingParameters { Temperature = 0, MaxTokens = 40 } : new SamplingParameters { Temperature = 0.9f, TopP = 0.95f, Seed = i, MaxTokens = 40 },
            [])).ToList();

        var results = await Task.WhenAll(requests.Select(r => Updates.ReadAllAsync(engine.Submit(r, default))));
        await engine.DisposeAsync();

        var snapshot = engine.Snapshot();
        Assert.True(snapshot.Preemptions > 0);
        Assert.Empty(model.Violations);
        Assert.True(model.MaxBlocksHeld <= 4);
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(ReferenceLoop.Generate(model, requests[i], engine.MaxSequenceTokens), results[i].Tokens());
        }

        // Recomputation is not counted again.
        Assert.Equal(60, snapshot.PromptTokens);
        Assert.Equal(240, snapshot.GenerationTokens);
    }

    [Fact]
    public async Task Submit_SeededSamplingAloneOrInABatch_GivesTheSameTokens()
    {
        var model = new FakeStepModel();
        var request = new GenerationRequest([2, 3, 4], new SamplingParameters { Temperature = 1.2f, TopK = 20, Seed = 1234, MaxTokens = 30 }, []);
        var options = new EngineOptions { KvCacheBytes = 4096, MaxNumBatchedTokens = 32 };

        await using var alone = new GenerationEngine(model, Decoder, options);
        var aloneTokens = (await Updates.ReadAllAsync(alone.Submit(request, default))).Tokens();

        await using var batched = new GenerationEngine(model, Decoder, options);
        var others = Enumerable.Range(0, 5).Select(i => batched.Submit(request with { PromptTokens = [5 + i, 6], Sampling = request.Sampling with { Seed = i } }, default)).ToList();
        var mine = batched.Submit(request, default);
        var all = await Task.WhenAll(others.Append(mine).Select(r => Updates.ReadAllAsync(r)));

        Assert.Equal(aloneTokens, all[^1].Tokens());
        Assert.Equal(ReferenceLoop.Generate(model, request, alone.MaxSequenceTokens), aloneTokens);
    }

    [Fact]
    public async Task Submit_PromptReachesMaxModelLen_StopsWithLength()
    {
        var model = new FakeStepModel { MaxContextLength = 4096 };
        await using var engine = new GenerationEngine(model, Decoder, new EngineOptions { KvCacheBytes = 4096, MaxModelLen = 20 });
        var request = new GenerationRequest([.. Enumerable.Repeat(3, 15)], new SamplingParameters { Temperature = 0, MaxTokens = 5 }, []);

        var updates = await Updates.ReadAllAsync(engine.Submit(request, default));

        Assert.Equal(20, engine.MaxSequenceTokens);
        Assert.Equal(5, updates.Tokens().Length);
        Assert.Equal(FinishReason.Length, updates[^1].Finish);
    }

    [Fact]
    public async Task Submit_ManyThreadsWithCancelsAndDispose_EverySequenceGetsOneFinalUpdate()
    {
        var model = new FakeStepModel { BlockSize = 8 };
        var engine = new GenerationEngine(model, Decoder, new EngineOptions { KvCacheBytes = 600, BlockSize = 8, MaxNumSeqs = 16, MaxNumBatchedTokens = 96 });
        var reads = new System.Collections.Concurrent.ConcurrentBag<Task<List<GenerationUpdate>>>();

        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var random = new Random(i);
            var request = new GenerationRequest([.. Enumerable.Range(0, random.Next(1, 100)).Select(_ => random.Next(2, 48))], new SamplingParameters { Temperature = 0, MaxTokens = random.Next(1, 30) }, []);
            var reader = engine.Submit(request, random.Next(4) == 0 ? new CancellationToken(canceled: true) : default);
            reads.Add(Updates.ReadAllAsync(reader));
        });
        var results = await Task.WhenAll(reads);
        await engine.DisposeAsync();

        Assert.Equal(200, results.Length);
        Assert.Empty(model.Violations);
        Assert.Equal(0, model.CachedSequences);
        Assert.Equal(0, engine.Snapshot().UsedBlocks);
    }

    private static GenerationRequest RandomRequest(Random random, int index)
    {
        var prompt = Enumerable.Range(0, random.Next(1, 301)).Select(_ => random.Next(2, FakeStepModel.Vocabulary)).ToArray();
        var sampling = random.Next(2) == 0
            ? new SamplingParameters { Temperature = 0, MaxTokens = random.Next(1, 41) }
            : new SamplingParameters
            {
                Temperature = 0.5f + (float)random.NextDouble(),
                TopP = random.Next(2) == 0 ? 1f : 0.9f,
                TopK = random.Next(3) == 0 ? 10 : 0,
                MinP = random.Next(3) == 0 ? 0.05f : 0f,
                RepetitionPenalty = random.Next(3) == 0 ? 1.2f : 1f,
                FrequencyPenalty = random.Next(3) == 0 ? 0.3f : 0f,
                PresencePenalty = random.Next(3) == 0 ? 0.2f : 0f,
                Seed = 1000 + index,
                MaxTokens = random.Next(1, 41),
            };
        return new GenerationRequest(prompt, sampling, [FakeTokenDecoder.Eos]);
    }
}
