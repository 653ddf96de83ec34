using GrainServe.Generation.TestSupport;

namespace GrainServe.Generation;

public sealed class SchedulerTests
{
    private static Scheduler Create(int budget = 64, int maxSeqs = 8, bool chunked = true, int blocks = 100, int blockSize = 16) =>
        new(new EngineOptions { MaxNumBatchedTokens = budget, MaxNumSeqs = maxSeqs, EnableChunkedPrefill = chunked, BlockSize = blockSize, KvCacheBytes = 1 },
            new KvBlockManager(blocks, blockSize));

    private static (long Id, int Tokens)[] Ids(SchedulerOutput output) => [.. output.Scheduled.Select(s => (s.Sequence.Id, s.Tokens))];

    [Fact]
    public void Schedule_RunningDecodesThenWaitingPrefills_InAdmissionOrder()
    {
        var scheduler = Create(budget: 64);
        var a = TestSequences.Create(1, 10);
        var b = TestSequences.Create(2, 20);
        scheduler.Add(a);
        scheduler.Add(b);
        var first = scheduler.Schedule();
        Assert.Equal([(1L, 10), (2L, 20)], Ids(first));
        TestSequences.Apply(first);

        var c = TestSequences.Create(3, 30);
        scheduler.Add(c);
        var second = scheduler.Schedule();

        Assert.Equal([(1L, 1), (2L, 1), (3L, 30)], Ids(second));
        Assert.Equal(32, second.TotalTokens);
        Assert.Equal(SequenceStatus.Prefilling, c.Status);
    }

    [Fact]
    public void Schedule_ChunkedPrefill_SplitsTheRemainderOverSteps()
    {
        var scheduler = Create(budget: 32);
        var a = TestSequences.Create(1, 100);
        scheduler.Add(a);

        var chunks = new List<int>();
        while (a.OutputLength == 0)
        {
            var output = scheduler.Schedule();
            chunks.Add(output.Scheduled.Single().Tokens);
            TestSequences.Apply(output);
        }

        Assert.Equal([32, 32, 32, 4], chunks);
    }

    [Fact]
    public void Schedule_ChunkedPrefillBesideDecode_PrefillTakesWhatTheDecodeLeaves()
    {
        var scheduler = Create(budget: 32);
        var a = TestSequences.Create(1, 5);
        scheduler.Add(a);
        TestSequences.Apply(scheduler.Schedule());
        var b = TestSequences.Create(2, 100);
        scheduler.Add(b);

        var output = scheduler.Schedule();
        TestSequences.Apply(output);
        var next = scheduler.Schedule();

        Assert.Equal([(1L, 1), (2L, 31)], Ids(output));
        Assert.Equal([(1L, 1), (2L, 31)], Ids(next));
    }

    [Fact]
    public void Schedule_NoChunkingPromptPastBudgetBehindOthers_WaitsAndKeepsFifo()
    {
        var scheduler = Create(budget: 32, chunked: false);
        var a = TestSequences.Create(1, 5);
        scheduler.Add(a);
        TestSequences.Apply(scheduler.Schedule());
        var big = TestSequences.Create(2, 100);
        var small = TestSequences.Create(3, 4);
        scheduler.Add(big);
        scheduler.Add(small);

        var output = scheduler.Schedule();

        Assert.Equal([(1L, 1)], Ids(output));
        Assert.Equal(SequenceStatus.Waiting, big.Status);
        Assert.Equal(SequenceStatus.Waiting, small.Status);
    }

    [Fact]
    public void Schedule_NoChunkingPromptPastBudgetAlone_RunsWholePastTheBudget()
    {
        var scheduler = Create(budget: 32, chunked: false);
        var big = TestSequences.Create(1, 100);
        var small = TestSequences.Create(2, 4);
        scheduler.Add(big);
        scheduler.Add(small);

        var output = scheduler.Schedule();

        Assert.Equal([(1L, 100)], Ids(output));
    }

    [Fact]
    public void Schedule_NoChunkingPromptWithinBudget_RunsWhole()
    {
        var scheduler = Create(budget: 32, chunked: false);
        scheduler.Add(TestSequences.Create(1, 20));
        scheduler.Add(TestSequences.Create(2, 12));
        scheduler.Add(TestSequences.Create(3, 1));

        Assert.Equal([(1L, 20), (2L, 12)], Ids(scheduler.Schedule()));
    }

    [Fact]
    public void Schedule_MaxNumSeqsReached_AdmitsNoMore()
    {
        var scheduler = Create(budget: 1000, maxSeqs: 2);
        for (var i = 1; i <= 4; i++)
        {
            scheduler.Add(TestSequences.Create(i, 3));
        }

        var output = scheduler.Schedule();
        TestSequences.Apply(output);

        Assert.Equal([1L, 2L], Ids(output).Select(s => s.Id));
        Assert.Equal([1L, 2L], Ids(scheduler.Schedule()).Select(s => s.Id));
        Assert.Equal(2, scheduler.Waiting.Count);
    }

    [Fact]
    public void Schedule_BlocksShortForAdmission_StopsAtTheFirstThatDoesNotFit()
    {
        var scheduler = Create(budget: 1000, blocks: 3, blockSize: 16);
        scheduler.Add(TestSequences.Create(1, 20));
        scheduler.Add(TestSequences.Create(2, 20));
        scheduler.Add(TestSequences.Create(3, 5));

        var output = scheduler.Schedule();

        Assert.Equal([1L], Ids(output).Select(s => s.Id));
        Assert.Equal(0, scheduler.Preemptions);
        Assert.Equal(2, scheduler.Blocks.UsedBlocks);
    }

    [Fact]
    public void Schedule_BlocksRunOut_PreemptsTheMostRecentlyAdmittedToTheFrontOfTheQueue()
    {
        // Three sequences of 16 tokens fill the pool; the first decode needs a fourth block.
        var scheduler = Create(budget: 1000, blocks: 3, blockSize: 16);
        var a = TestSequences.Create(1, 15);
        var b = TestSequences.Create(2, 16);
        var c = TestSequences.Create(3, 16);
        scheduler.Add(a);
        scheduler.Add(b);
        scheduler.Add(c);
        TestSequences.Apply(scheduler.Schedule());
        var d = TestSequences.Create(4, 1);
        scheduler.Add(d);

        var output = scheduler.Schedule();

        // a's decode (16 tokens) fits its block; b needs a second: c goes; then b fits.
        Assert.Equal([(1L, 1), (2L, 1)], Ids(output));
        Assert.Equal([c], output.Preempted);
        Assert.Equal(SequenceStatus.Preempted, c.Status);
        Assert.Equal(0, c.ComputedTokens);
        Assert.Equal(1, c.OutputLength);
        Assert.Equal(0, scheduler.Blocks.HeldBy(3));
        Assert.Equal([c, d], scheduler.Waiting);
        Assert.Equal(1, scheduler.Preemptions);
    }

    [Fact]
    public void Schedule_AfterPreemption_ReadmitsThePreemptedFirstWithItsWholeHistory()
    {
        var scheduler = Create(budget: 1000, maxSeqs: 8, blocks: 3, blockSize: 16);
        var a = TestSequences.Create(1, 16);
        var b = TestSequences.Create(2, 16);
        var c = TestSequences.Create(3, 16);
        scheduler.Add(a);
        scheduler.Add(b);
        scheduler.Add(c);
        TestSequences.Apply(scheduler.Schedule());
        var preempting = scheduler.Schedule();
        var waitingAfterPreemption = scheduler.Waiting.ToArray();
        TestSequences.Apply(preempting);
        scheduler.Add(TestSequences.Create(4, 1));

        scheduler.Remove(a);
        var output = scheduler.Schedule();

        // a's decode needs a second block: c goes, then b (now the last) would have to preempt itself.
        Assert.Equal([c, b], preempting.Preempted);
        Assert.Equal([(1L, 1)], Ids(preempting));
        Assert.Equal([b, c], waitingAfterPreemption);

        // The older one comes back first, its prompt and output (17 tokens) prefilled again; c no longer fits.
        Assert.Equal([(2L, 17)], Ids(output));
        Assert.Equal(SequenceStatus.Prefilling, b.Status);
        Assert.Equal(SequenceStatus.Preempted, c.Status);
    }

    [Fact]
    public void Schedule_LastRunningNeedsBlocksNoOneElseHolds_PreemptsItself()
    {
        var scheduler = Create(budget: 1000, blocks: 2, blockSize: 16);
        var a = TestSequences.Create(1, 10);
        var b = TestSequences.Create(2, 16);
        scheduler.Add(a);
        scheduler.Add(b);
        TestSequences.Apply(scheduler.Schedule());

        var output = scheduler.Schedule();

        Assert.Equal([(1L, 1)], Ids(output));
        Assert.Equal([b], output.Preempted);
        Assert.Equal([b], scheduler.Waiting);
        Assert.Equal([a], scheduler.Running);
    }

    [Fact]
    public void Schedule_StepThatPreempted_AdmitsNothing()
    {
        var scheduler = Create(budget: 1000, blocks: 2, blockSize: 16);
        scheduler.Add(TestSequences.Create(1, 10));
        scheduler.Add(TestSequences.Create(2, 16));
        TestSequences.Apply(scheduler.Schedule());
        scheduler.Add(TestSequences.Create(3, 1));

        var output = scheduler.Schedule();

        Assert.Single(output.Preempted);
        Assert.DoesNotContain(output.Scheduled, s => s.Sequence.Id == 3);
    }

    [Fact]
    public void Schedule_BudgetSpentByDecodes_LeavesLaterRunningForTheNextStep()
    {
        var scheduler = Create(budget: 2);
        for (var i = 1; i <= 3; i++)
        {
            scheduler.Add(TestSequences.Create(i, 1));
        }

        Assert.Equal([(1L, 1), (2L, 1)], Ids(scheduler.Schedule()));
    }

    [Fact]
    public void Remove_RunningOrWaiting_FreesBlocksAndLeavesTheQueues()
    {
        var scheduler = Create(budget: 10);
        var a = TestSequences.Create(1, 10);
        var b = TestSequences.Create(2, 10);
        scheduler.Add(a);
        scheduler.Add(b);
        scheduler.Schedule();

        scheduler.Remove(a);
        scheduler.Remove(b);

        Assert.True(scheduler.IsIdle);
        Assert.Equal(0, scheduler.Blocks.UsedBlocks);
        Assert.Equal(SequenceStatus.Finished, a.Status);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void Schedule_RandomWorkloads_KeepEveryLimit(int seed, bool chunked)
    {
        var random = new Random(seed);
        const int budget = 48;
        const int maxSeqs = 4;
        var scheduler = Create(budget: budget, maxSeqs: maxSeqs, chunked: chunked, blocks: 12, blockSize: 8);
        var live = new List<Sequence>();
        var nextId = 1;
        for (var step = 0; step < 2000; step++)
        {
            if (random.Next(3) == 0)
            {
                var sequence = TestSequences.Create(nextId++, random.Next(1, 60), random.Next(1, 30));
                live.Add(sequence);
                scheduler.Add(sequence);
            }

            var output = scheduler.Schedule();
            Assert.True(output.Scheduled.Count <= maxSeqs);
            Assert.True(output.TotalTokens <= budget || (!chunked && output.Scheduled.Count == 1));
            Assert.True(scheduler.Blocks.UsedBlocks <= scheduler.Blocks.TotalBlocks);
            foreach (var (sequence, tokens) in output.Scheduled)
            {
                Assert.InRange(tokens, 1, sequence.UncomputedTokens);
                Assert.True(scheduler.Blocks.HeldBy(sequence.Id) * 8 >= sequence.ComputedTokens + tokens);
            }

            Assert.Equal(scheduler.Running.Sum(s => scheduler.Blocks.HeldBy(s.Id)), scheduler.Blocks.UsedBlocks);
            TestSequences.Apply(output);
            foreach (var done in live.Where(s => s.OutputLength >= s.Sampling.MaxTokens).ToList())
            {
                scheduler.Remove(done);
                live.Remove(done);
            }
        }

        Assert.True(nextId > 500);
    }
}
