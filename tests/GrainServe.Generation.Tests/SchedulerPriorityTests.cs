using GrainServe.Generation.TestSupport;

namespace GrainServe.Generation;

/// <summary>vLLM's priority scheduling: lower values first, first come, first served within one.</summary>
public sealed class SchedulerPriorityTests
{
    private static Scheduler Create(int budget = 1000, int maxSeqs = 8, int blocks = 100, int blockSize = 16) =>
        new(new EngineOptions { MaxNumBatchedTokens = budget, MaxNumSeqs = maxSeqs, EnableChunkedPrefill = true, BlockSize = blockSize, KvCacheBytes = 1 },
            new KvBlockManager(blocks, blockSize));

    private static long[] Ids(SchedulerOutput output) => [.. output.Scheduled.Select(s => s.Sequence.Id)];

    [Fact]
    public void Schedule_WaitingSequences_AreAdmittedByPriorityThenArrival()
    {
        // Room for two sequences a step: the lower values go first, and 1 and 4 (both 5) in the order they came.
        var scheduler = Create(maxSeqs: 2);
        scheduler.Add(TestSequences.Create(1, 4, priority: 5));
        scheduler.Add(TestSequences.Create(2, 4, priority: 0));
        scheduler.Add(TestSequences.Create(3, 4, priority: -3));
        scheduler.Add(TestSequences.Create(4, 4, priority: 5));

        var first = scheduler.Schedule();

        Assert.Equal([3L, 2L], Ids(first));
        Assert.Equal([1L, 4L], scheduler.Waiting.Select(s => s.Id));
    }

    [Fact]
    public void Schedule_HigherPriorityArrivingLater_OvertakesTheWaitingOnes()
    {
        var scheduler = Create(maxSeqs: 1);
        var running = TestSequences.Create(1, 4, maxTokens: 2);
        scheduler.Add(running);
        TestSequences.Apply(scheduler.Schedule());
        scheduler.Add(TestSequences.Create(2, 4));
        scheduler.Add(TestSequences.Create(3, 4, priority: -1));

        scheduler.Remove(running);
        var next = scheduler.Schedule();

        Assert.Equal([3L], Ids(next));
    }

    [Fact]
    public void Schedule_BlocksRunOut_PreemptsTheLowestPriorityFirstAndQueuesItAtTheFrontOfItsPriority()
    {
        // As the FCFS test: three sequences of 16 tokens fill three blocks and a's decode needs a fourth. Here the
        // middle one has the lowest priority (the highest value), so it goes rather than the most recent.
        var scheduler = Create(blocks: 3, blockSize: 16);
        var a = TestSequences.Create(1, 15);
        var b = TestSequences.Create(2, 16, priority: 9);
        var c = TestSequences.Create(3, 16);
        scheduler.Add(a);
        scheduler.Add(c);
        scheduler.Add(b);
        TestSequences.Apply(scheduler.Schedule());
        scheduler.Add(TestSequences.Create(4, 1, priority: 9));
        scheduler.Add(TestSequences.Create(5, 1));

        var output = scheduler.Schedule();

        Assert.Equal([b], output.Preempted);
        Assert.Equal(SequenceStatus.Preempted, b.Status);
        // The preempted sequence goes before newer ones of its priority (4), behind waiting ones of a higher (5).
        Assert.Equal([5L, 2L, 4L], scheduler.Waiting.Select(s => s.Id));
    }

    [Fact]
    public void Schedule_LowestPriorityAlreadyScheduledThisStep_IsNotPreempted()
    {
        // a (priority 9) was admitted before c, so it decodes first in the step; c's decode then needs a block. a's
        // token is already in the step, so the victim is chosen from c on, and c preempts itself.
        var scheduler = Create(blocks: 2, blockSize: 16);
        var a = TestSequences.Create(1, 10, priority: 9);
        var c = TestSequences.Create(2, 16);
        scheduler.Add(a);
        TestSequences.Apply(scheduler.Schedule());
        scheduler.Add(c);
        TestSequences.Apply(scheduler.Schedule());

        var output = scheduler.Schedule();

        Assert.Equal([1L], Ids(output));
        Assert.Equal([c], output.Preempted);
    }
}
