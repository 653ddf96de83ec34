using GrainServe.Generation.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Generation;

public sealed class GenerationEngineTests
{
    private static readonly FakeTokenDecoder Decoder = new();

    private static EngineOptions Options(long kvTokens = 4096) => new() { KvCacheBytes = kvTokens, MaxNumBatchedTokens = 64, MaxNumSeqs = 8, BlockSize = 16 };

    private static GenerationRequest Request(int[] prompt, int maxTokens = 8, float temperature = 0, IReadOnlyList<string>? stop = null, IReadOnlyList<int>? stopTokens = null) =>
        new(prompt, new SamplingParameters { MaxTokens = maxTokens, Temperature = temperature, Stop = stop ?? [] }, stopTokens ?? []);

    [Fact]
    public async Task Submit_GreedyRequest_MatchesTheReferenceLoop()
    {
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var request = Request(FakeTokenDecoder.Encode("hello world"), maxTokens: 20);

        var updates = await Updates.ReadAllAsync(engine.Submit(request, default));

        Assert.Equal(ReferenceLoop.Generate(model, request, engine.MaxSequenceTokens), updates.Tokens());
        Assert.Equal(FinishReason.Length, updates[^1].Finish);
        Assert.Equal(20, updates[^1].CompletionTokens);
        Assert.Equal(11, updates[^1].PromptTokens);
        Assert.Equal(Decoder.Decode(updates.Tokens(), skipSpecialTokens: true), updates.Text());
    }

    [Fact]
    public async Task Submit_EndOfSequenceToken_FinishesWithoutItsText()
    {
        var model = new FakeStepModel { Override = h => h.Count >= 6 ? FakeTokenDecoder.Eos : 2 };
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var request = Request([2, 3, 4], maxTokens: 10, stopTokens: [FakeTokenDecoder.Eos]) with
        {
            Sampling = new SamplingParameters { Temperature = 0, MaxTokens = 10, SkipSpecialTokens = false },
        };

        var updates = await Updates.ReadAllAsync(engine.Submit(request, default));

        Assert.Equal([2, 2, 2, FakeTokenDecoder.Eos], updates.Tokens());
        Assert.Equal(FinishReason.EndOfSequence, updates[^1].Finish);
        Assert.Equal("aaa", updates.Text());
    }

    [Fact]
    public async Task Submit_IgnoreEos_RunsToMaxTokens()
    {
        var model = new FakeStepModel { Override = _ => FakeTokenDecoder.Eos };
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var request = new GenerationRequest([2], new SamplingParameters { Temperature = 0, MaxTokens = 5, IgnoreEos = true }, [FakeTokenDecoder.Eos]);

        var updates = await Updates.ReadAllAsync(engine.Submit(request, default));

        Assert.Equal(5, updates.Tokens().Length);
        Assert.Equal(FinishReason.Length, updates[^1].Finish);
    }

    [Fact]
    public async Task Submit_StopStringSplitAcrossTokens_NeverLeaksAndSetsMatchedStop()
    {
        var script = FakeTokenDecoder.Encode("one two. three");
        var model = new FakeStepModel { Override = h => script[Math.Min(h.Count - 1, script.Length - 1)] };
        await using var engine = new GenerationEngine(model, Decoder, Options());

        var updates = await Updates.ReadAllAsync(engine.Submit(Request([2], maxTokens: 30, stop: ["o. t"]), default));

        Assert.Equal("one tw", updates.Text());
        Assert.Equal(FinishReason.StopString, updates[^1].Finish);
        Assert.Equal("o. t", updates[^1].MatchedStop);
        Assert.All(updates, u => Assert.DoesNotContain("o.", u.Text));
    }

    [Fact]
    public async Task Submit_HeldStopPrefixThenLength_ReleasesTheHeldText()
    {
        var script = FakeTokenDecoder.Encode("abc:");
        var model = new FakeStepModel { Override = h => script[Math.Min(h.Count - 1, script.Length - 1)] };
        await using var engine = new GenerationEngine(model, Decoder, Options());

        var updates = await Updates.ReadAllAsync(engine.Submit(Request([2], maxTokens: 4, stop: [":::"]), default));

        // ":" might begin ":::" so it is held, then released with the final update.
        Assert.Equal(["a", "b", "c", ":"], updates.Select(u => u.Text));
        Assert.Equal(FinishReason.Length, updates[^1].Finish);
        Assert.Null(updates[^1].MatchedStop);
    }

    [Fact]
    public async Task Submit_Logprobs_ReportRawLogSoftmaxAndTop()
    {
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var request = new GenerationRequest([2, 3], new SamplingParameters { Temperature = 0, MaxTokens = 3, Logprobs = true, TopLogprobs = 2 }, []);

        var updates = await Updates.ReadAllAsync(engine.Submit(request, default));

        var logSum = Math.Log(Enumerable.Range(0, FakeStepModel.Vocabulary).Sum(i => Math.Exp(-i)));
        Assert.All(updates, u =>
        {
            var logprob = Assert.Single(u.Logprobs!);
            Assert.Equal(u.TokenIds[0], logprob.Token.TokenId);
            Assert.Equal(-logSum, logprob.Token.Logprob, 4);
            Assert.Equal(2, logprob.Top.Count);
            Assert.Equal(u.TokenIds[0], logprob.Top[0].TokenId);
            Assert.Equal(-1 - logSum, logprob.Top[1].Logprob, 4);
        });
    }

    [Fact]
    public async Task Submit_ModelFailsOnAStep_FailsThatStepsSequencesAndServesTheNext()
    {
        using var submitted = new ManualResetEventSlim();
        var model = new FakeStepModel { ThrowOnStep = 2, BeforeStep = _ => submitted.Wait(TimeSpan.FromSeconds(10)) };
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var first = engine.Submit(Request([2, 3], maxTokens: 10), default);
        var second = engine.Submit(Request([4, 5], maxTokens: 10), default);
        submitted.Set();

        var failed = await Task.WhenAll(Updates.ReadAllAsync(first), Updates.ReadAllAsync(second));
        var next = await Updates.ReadAllAsync(engine.Submit(Request([6], maxTokens: 3), default));

        Assert.All(failed, updates =>
        {
            Assert.Equal(FinishReason.Error, updates[^1].Finish);
            Assert.Equal("the fake model failed", updates[^1].Error);
        });
        Assert.Contains(model.Steps[2].Entries, e => e.SequenceId == model.Steps[0].Entries[0].SequenceId);
        Assert.Equal(2, model.Steps[2].Entries.Length);
        Assert.Equal(FinishReason.Length, next[^1].Finish);
        Assert.Equal(3, next.Tokens().Length);
        Assert.Equal(0, model.CachedSequences);
    }

    [Fact]
    public async Task Submit_ModelFailsWhileOthersWait_WaitingOnesStillFinish()
    {
        var model = new FakeStepModel { ThrowOnStep = 1 };
        await using var engine = new GenerationEngine(model, Decoder, Options() with { MaxNumSeqs = 1 });
        var first = engine.Submit(Request([2, 3], maxTokens: 10), default);
        var second = engine.Submit(Request([4, 5], maxTokens: 4), default);

        var results = await Task.WhenAll(Updates.ReadAllAsync(first), Updates.ReadAllAsync(second));

        Assert.Equal(FinishReason.Error, results[0][^1].Finish);
        Assert.Equal(FinishReason.Length, results[1][^1].Finish);
        Assert.Equal(ReferenceLoop.Generate(model, Request([4, 5], maxTokens: 4), engine.MaxSequenceTokens), results[1].Tokens());
    }

    [Fact]
    public async Task Submit_CancelledMidStream_ReleasedAtTheNextStep()
    {
        var model = new FakeStepModel();
        using var cts = new CancellationTokenSource();
        model.BeforeStep = step =>
        {
            if (step == 3)
            {
                cts.Cancel();
            }
        };
        await using var engine = new GenerationEngine(model, Decoder, Options());
        var cancelled = engine.Submit(Request([2, 3], maxTokens: 30), cts.Token);
        var other = engine.Submit(Request([4, 5], maxTokens: 8), default);

        var results = await Task.WhenAll(Updates.ReadAllAsync(cancelled), Updates.ReadAllAsync(other));

        Assert.Equal(FinishReason.Cancelled, results[0][^1].Finish);
        Assert.Empty(results[0][^1].TokenIds);
        Assert.Equal(4, results[0].Tokens().Length);
        var cancelledId = model.Steps[0].Entries[0].SequenceId;
        Assert.Equal(model.Events.IndexOf("run 4") - 1, model.Events.IndexOf($"release {cancelledId}"));
        Assert.DoesNotContain(model.Steps[4].Entries, e => e.SequenceId == cancelledId);
        Assert.Equal(FinishReason.Length, results[1][^1].Finish);
    }

    [Fact]
    public async Task Submit_CancelledBeforeItRuns_FinishesCancelledWithoutRunning()
    {
        var model = new FakeStepModel();
        await using var engine = new GenerationEngine(model, Decoder, Options());

        var updates = await Updates.ReadAllAsync(engine.Submit(Request([2, 3]), new CancellationToken(canceled: true)));

        Assert.Equal(FinishReason.Cancelled, Assert.Single(updates).Finish);
        Assert.Empty(model.Steps);
    }

    [Fact]
    public async Task DisposeAsync_SequencesPending_FinishesThemWithError()
    {
        var model = new FakeStepModel();
        using var inStep = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        model.BeforeStep = step =>
        {
            if (step == 1)
            {
                inStep.Set();
                release.Wait(TimeSpan.FromSeconds(10));
            }
        };
        var engine = new GenerationEngine(model, Decoder, Options() with { MaxNumSeqs = 2 });
        var readers = Enumerable.Range(0, 3).Select(i => engine.Submit(Request([2 + i], maxTokens: 50), default)).ToList();
        var reads = readers.Select(r => Updates.ReadAllAsync(r)).ToList();
        Assert.True(inStep.Wait(TimeSpan.FromSeconds(10)));

        var disposing = engine.DisposeAsync();
        release.Set();
        await disposing;
        var results = await Task.WhenAll(reads);

        Assert.All(results, updates =>
        {
            Assert.Equal(FinishReason.Error, updates[^1].Finish);
            Assert.Equal("the model instance was unloaded", updates[^1].Error);
        });
        Assert.Throws<ObjectDisposedException>(() => engine.Submit(Request([2]), default));
        Assert.Equal(0, model.CachedSequences);
    }

    [Fact]
    public async Task DisposeAsync_NeverUsed_Completes()
    {
        var engine = new GenerationEngine(new FakeStepModel(), Decoder, Options());

        await engine.DisposeAsync();
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task Submit_WithObserver_ReportsFirstNextAndFinished()
    {
        var time = new FakeTimeProvider();
        var observer = new RecordingObserver();
        var model = new FakeStepModel { BeforeStep = _ => time.Advance(TimeSpan.FromMilliseconds(10)) };
        await using var engine = new GenerationEngine(model, Decoder, Options(), time, observer);

        await Updates.ReadAllAsync(engine.Submit(Request([2, 3], maxTokens: 4), default));
        await engine.DisposeAsync();

        Assert.Equal([TimeSpan.FromMilliseconds(10)], observer.First);
        Assert.Equal(3, observer.Next.Count);
        Assert.All(observer.Next, t => Assert.Equal(TimeSpan.FromMilliseconds(10), t));
        Assert.Equal((FinishReason.Length, TimeSpan.FromMilliseconds(40), 2, 4), Assert.Single(observer.Finished));
    }

    [Fact]
    public async Task Snapshot_AfterRequests_CountsPromptsTokensAndFreesBlocks()
    {
        var model = new FakeStepModel();
        var engine = new GenerationEngine(model, Decoder, Options(kvTokens: 1024));
        await Task.WhenAll(
            Updates.ReadAllAsync(engine.Submit(Request([2, 3, 4], maxTokens: 5), default)),
            Updates.ReadAllAsync(engine.Submit(Request([5, 6], maxTokens: 7), default)));

        await engine.DisposeAsync();
        var snapshot = engine.Snapshot();

        Assert.Equal(5, snapshot.PromptTokens);
        Assert.Equal(12, snapshot.GenerationTokens);
        Assert.Equal(0, snapshot.UsedBlocks);
        Assert.Equal(64, snapshot.TotalBlocks);
        Assert.Equal(0, snapshot.Running + snapshot.Waiting);
        Assert.Equal(model.Steps.Count, snapshot.Steps);
    }

    [Fact]
    public async Task Snapshot_WhileRunning_CountsRunningWaitingAndBlocks()
    {
        using var submitted = new ManualResetEventSlim();
        EngineSnapshot? seen = null;
        GenerationEngine? engine = null;
        var model = new FakeStepModel
        {
            BeforeStep = step =>
            {
                submitted.Wait(TimeSpan.FromSeconds(10));
                if (step == 1)
                {
                    seen = engine!.Snapshot();
                }
            },
        };
        engine = new GenerationEngine(model, Decoder, Options() with { MaxNumSeqs = 2 });
        var reads = Enumerable.Range(0, 4).Select(i => Updates.ReadAllAsync(engine.Submit(Request([2, 3, 4], maxTokens: 5), default))).ToList();
        submitted.Set();

        await Task.WhenAll(reads);
        await engine.DisposeAsync();

        // After step 0 (published before step 1 runs): those it prefilled (one or two, as the loop may start before
        // the last submissions) run and hold a block each; the rest wait.
        var first = model.Steps[0].Entries.Length;
        Assert.NotNull(seen);
        Assert.Equal(first, seen.Running);
        Assert.Equal(4 - first, seen.Waiting);
        Assert.Equal(first, seen.UsedBlocks);
        Assert.Equal(1, seen.Steps);
        Assert.Equal(first / 256.0, seen.KvCacheUsage);
    }

    private sealed class RecordingObserver : IGenerationObserver
    {
        public List<TimeSpan> First { get; } = [];

        public List<TimeSpan> Next { get; } = [];

        public List<(FinishReason, TimeSpan, int, int)> Finished { get; } = [];

        public void OnFirstToken(TimeSpan timeToFirstToken) => First.Add(timeToFirstToken);

        public void OnNextToken(TimeSpan interTokenLatency) => Next.Add(interTokenLatency);

        public void OnFinished(FinishReason reason, TimeSpan endToEnd, int promptTokens, int generationTokens) =>
            Finished.Add((reason, endToEnd, promptTokens, generationTokens));
    }

    [Fact]
    public async Task Submit_WaitingRequests_AreAdmittedByPriority()
    {
        // One sequence at a time; the first step is held until every request is in, so all three wait together.
        using var gate = new ManualResetEventSlim();
        var model = new FakeStepModel { BeforeStep = step => { if (step == 0) { gate.Wait(TimeSpan.FromSeconds(10)); } } };
        await using var engine = new GenerationEngine(model, Decoder, Options() with { MaxNumSeqs = 1 });
        var first = engine.Submit(Request([2, 3], maxTokens: 2), default);
        while (model.Steps.Count == 0)
        {
            await Task.Delay(5);
        }

        var late = engine.Submit(Request([2, 3], maxTokens: 2) with { Priority = 5 }, default);
        var urgent = engine.Submit(Request([2, 3], maxTokens: 2) with { Priority = -1 }, default);
        var later = engine.Submit(Request([2, 3], maxTokens: 2) with { Priority = 5 }, default);
        gate.Set();
        foreach (var reader in new[] { first, late, urgent, later })
        {
            await Updates.ReadAllAsync(reader);
        }

        // Sequence ids are given in submission order (1 to 4): admitted 1, then the urgent 3, then 2 and 4 as they came.
        var admitted = model.Steps.SelectMany(s => s.Entries).Select(e => e.SequenceId).Distinct();
        Assert.Equal([1L, 3L, 2L, 4L], admitted);
    }
}
