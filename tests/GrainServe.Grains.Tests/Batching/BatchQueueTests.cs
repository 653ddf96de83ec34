using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Batching;

public sealed class BatchQueueTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static BatchingSettings Settings(int max = 8, double delayMs = 10, int maxQueue = 0, double timeoutMs = 0) =>
        new(max, true, [], TimeSpan.FromMilliseconds(delayMs), maxQueue, TimeSpan.FromMilliseconds(timeoutMs), QueueTimeoutAction.Reject);

    private static BatchQueue Queue(FakeModelRunner runner, BatchingSettings settings, TimeProvider time) =>
        new("fake", "1", runner, settings, time, NullLogger.Instance);

    [Fact]
    public async Task Enqueue_RequestsWithinDelay_RunAsOneBatchAndEachGetsItsOwnRows()
    {
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(8);
        await using var queue = Queue(runner, Settings(), time);

        var first = queue.Enqueue(Floats.Request("a", 1, 2));
        var second = queue.Enqueue(Floats.Request("b", 3, 4, 5, 6));
        var third = queue.Enqueue(Floats.Request("c", 7, 8));
        await Task.Delay(50);
        Assert.Empty(runner.BatchRows);

        time.Advance(TimeSpan.FromMilliseconds(10));
        var results = await Task.WhenAll(first, second, third).WaitAsync(Wait);

        Assert.Equal([4L], runner.BatchRows);
        Assert.Equal(["a", "b", "c"], results.Select(r => r.Response!.Id));
        Assert.Equal([1f, 2f], Floats.FromBytes(results[0].Response!.Outputs[0].Data));
        Assert.Equal([4f, 5f, 6f, 7f], Floats.FromBytes(results[1].Response!.Outputs[1].Data));
        Assert.Equal([8f, 9f], Floats.FromBytes(results[2].Response!.Outputs[1].Data));
    }

    [Fact]
    public async Task Enqueue_MaxBatchSizeReached_RunsWithoutWaitingForTheDelay()
    {
        var runner = new FakeModelRunner(2);
        await using var queue = Queue(runner, Settings(max: 2, delayMs: 60_000), TimeProvider.System);

        var results = await Task.WhenAll(queue.Enqueue(Floats.Request(null, 1, 2)), queue.Enqueue(Floats.Request(null, 3, 4))).WaitAsync(Wait);

        Assert.All(results, r => Assert.NotNull(r.Response));
        Assert.Equal([2L], runner.BatchRows);
    }

    [Fact]
    public async Task Enqueue_QueueLongerThanABatch_DrainsInFullBatchesInOrder()
    {
        // 50 requests of one row queued at once, batches of 8: the policy reads only the head of the queue, and
        // still forms full batches from it, oldest first, with one of 2 left at the end.
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(8);
        await using var queue = Queue(runner, Settings(max: 8), time);

        var pending = Enumerable.Range(0, 50).Select(i => queue.Enqueue(Floats.Request($"r{i}", i, i))).ToArray();
        var deadline = DateTime.UtcNow + Wait;
        while (runner.BatchRows.Count < 6)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {runner.BatchRows.Count} full batches formed from 50 queued requests");
            await Task.Delay(10);
        }

        // The last 2 wait out the queue delay; the queue's loop may arm that timer after any one Advance (seen on a
        // loaded machine), so time moves on until they are answered.
        var all = Task.WhenAll(pending);
        while (!all.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline + Wait, "the last partial batch never ran");
            time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(10);
        }

        var results = await all;

        Assert.Equal([8L, 8L, 8L, 8L, 8L, 8L, 2L], runner.BatchRows);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"r{i}"), results.Select(r => r.Response!.Id));
        Assert.Equal([49f, 49f], Floats.FromBytes(results[49].Response!.Outputs[0].Data));
    }

    [Fact]
    public async Task Enqueue_RequestedOutputs_ReturnsOnlyThose()
    {
        var runner = new FakeModelRunner(8);
        await using var queue = Queue(runner, Settings(delayMs: 0), TimeProvider.System);

        var request = new InferenceRequest("x", null, [Floats.Tensor("INPUT0", [1, 2], 1, 2)], ["OUTPUT1"]);
        var result = await queue.Enqueue(request).WaitAsync(Wait);

        Assert.Equal(["OUTPUT1"], result.Response!.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task Enqueue_RunnerFails_FailsEveryRequestOfTheBatchWithTheReason()
    {
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(8) { FailWith = new InvalidOperationException("device on fire") };
        await using var queue = Queue(runner, Settings(), time);

        var a = queue.Enqueue(Floats.Request(null, 1, 2));
        var b = queue.Enqueue(Floats.Request(null, 3, 4));
        time.Advance(TimeSpan.FromMilliseconds(10));
        var results = await Task.WhenAll(a, b).WaitAsync(Wait);

        Assert.All(results, r =>
        {
            Assert.Equal(InferenceErrorCode.Internal, r.Error!.Code);
            Assert.Contains("device on fire", r.Error.Message);
        });
        Assert.Equal([0L, 0L, 2L, 0L], queue.Statistics.Figures().FailuresByReason);
    }

    [Fact]
    public async Task Enqueue_QueueFull_RejectsAtOnceWithRetryableError()
    {
        var runner = new FakeModelRunner(1) { Gate = new TaskCompletionSource() };
        await using var queue = Queue(runner, Settings(max: 1, delayMs: 0, maxQueue: 1), TimeProvider.System);

        var running = queue.Enqueue(Floats.Request(null, 1, 2));
        await WaitUntil(() => queue.Pending == 1 && queue.Queued == 0);
        var waiting = queue.Enqueue(Floats.Request(null, 3, 4));
        var rejected = await queue.Enqueue(Floats.Request(null, 5, 6)).WaitAsync(Wait);

        Assert.Equal(InferenceErrorCode.QueueFull, rejected.Error!.Code);
        Assert.Equal([1L, 0L, 0L, 0L], queue.Statistics.Figures().FailuresByReason);
        runner.Gate.SetResult();
        Assert.NotNull((await running.WaitAsync(Wait)).Response);
        Assert.NotNull((await waiting.WaitAsync(Wait)).Response);
    }

    [Fact]
    public async Task Enqueue_WaitedPastQueueTimeout_IsRejectedAsTimeout()
    {
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(8);
        await using var queue = Queue(runner, Settings(delayMs: 100, timeoutMs: 50), time);

        var request = queue.Enqueue(Floats.Request(null, 1, 2));
        time.Advance(TimeSpan.FromMilliseconds(100));
        var result = await request.WaitAsync(Wait);

        Assert.Equal(InferenceErrorCode.Timeout, result.Error!.Code);
        Assert.Empty(runner.BatchRows);
        Assert.Equal([1L, 0L, 0L, 0L], queue.Statistics.Figures().FailuresByReason);
    }

    [Fact]
    public async Task Enqueue_CancelledWhileWaiting_LeavesTheQueueUnrunAndTheOthersRun()
    {
        // The first request's batch is held on the "device"; the second waits behind it and its caller goes away.
        var runner = new FakeModelRunner(1) { Gate = new TaskCompletionSource() };
        await using var queue = Queue(runner, Settings(max: 1, delayMs: 0), TimeProvider.System);
        using var caller = new CancellationTokenSource();

        var running = queue.Enqueue(Floats.Request("running", 1, 2));
        await WaitUntil(() => queue.Queued == 0 && queue.Pending == 1);
        var abandoned = queue.Enqueue(Floats.Request("abandoned", 3, 4), caller.Token);
        var after = queue.Enqueue(Floats.Request("after", 5, 6), CancellationToken.None);
        await caller.CancelAsync();
        var cancelled = await abandoned.WaitAsync(Wait);

        Assert.Equal(InferenceErrorCode.Cancelled, cancelled.Error!.Code);
        Assert.Equal([0L, 1L, 0L, 0L], queue.Statistics.Figures().FailuresByReason);
        Assert.Equal(1, queue.Queued);
        runner.Gate.SetResult();
        var results = await Task.WhenAll(running, after).WaitAsync(Wait);
        Assert.Equal(["running", "after"], results.Select(r => r.Response!.Id));
        Assert.Equal([1L, 1L], runner.BatchRows);
    }

    [Fact]
    public async Task Enqueue_CancelledOnceItsBatchRuns_StillAnswers()
    {
        var runner = new FakeModelRunner(1) { Gate = new TaskCompletionSource() };
        await using var queue = Queue(runner, Settings(max: 1, delayMs: 0), TimeProvider.System);
        using var caller = new CancellationTokenSource();

        var request = queue.Enqueue(Floats.Request("r", 1, 2), caller.Token);
        await WaitUntil(() => queue.Queued == 0 && queue.Pending == 1);
        await caller.CancelAsync();
        runner.Gate.SetResult();

        Assert.Equal("r", (await request.WaitAsync(Wait)).Response!.Id);
    }

    [Fact]
    public async Task Enqueue_AlreadyCancelled_IsRefusedWithoutQueueing()
    {
        var runner = new FakeModelRunner(8);
        await using var queue = Queue(runner, Settings(delayMs: 0), TimeProvider.System);

        var result = await queue.Enqueue(Floats.Request(null, 1, 2), new CancellationToken(canceled: true)).WaitAsync(Wait);

        Assert.Equal(InferenceErrorCode.Cancelled, result.Error!.Code);
        Assert.Empty(runner.BatchRows);
    }

    [Fact]
    public async Task DisposeAsync_QueuedRequests_FailAsNotReadyAndNoneIsLost()
    {
        var runner = new FakeModelRunner(8);
        var queue = Queue(runner, Settings(delayMs: 60_000), TimeProvider.System);

        var pending = Enumerable.Range(0, 5).Select(i => queue.Enqueue(Floats.Request(null, i, i))).ToArray();
        await queue.DisposeAsync();
        var results = await Task.WhenAll(pending).WaitAsync(Wait);

        Assert.All(results, r => Assert.Equal(InferenceErrorCode.ModelNotReady, r.Error!.Code));
        Assert.Equal(InferenceErrorCode.ModelNotReady, (await queue.Enqueue(Floats.Request(null, 1, 2))).Error!.Code);
    }

    [Fact]
    public async Task Enqueue_WaitingForTheBatchToFill_TheLoopSleepsInsteadOfSpinning()
    {
        // A request waits out max_queue_delay alone on a clock that does not move. The loop used to keep the wake its
        // arrival completed and pass over the queue again and again until the delay ended: thousands of passes here.
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(8);
        await using var queue = Queue(runner, Settings(delayMs: 10), time);

        var waiting = queue.Enqueue(Floats.Request("a", 1, 2));
        await Task.Delay(200);
        var passes = queue.Passes;
        Assert.Empty(runner.BatchRows);
        Assert.True(passes <= 3, $"the loop passed over a waiting queue {passes} times in 200 ms");

        time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.NotNull((await waiting.WaitAsync(Wait)).Response);
    }

    [Fact]
    public async Task Enqueue_SubMillisecondDelay_WaitsItOutOnTheRealClockWithoutSpinning()
    {
        // .NET's timers count whole milliseconds, so a 0.5 ms Task.Delay fires at once: the loop sleeps in nanosleep
        // slices on Linux instead, about one pass per slice, and the batch still waits its delay.
        var runner = new FakeModelRunner(8);
        await using var queue = Queue(runner, Settings(delayMs: 0.5), TimeProvider.System);
        var before = queue.Passes;

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await queue.Enqueue(Floats.Request("a", 1, 2)).WaitAsync(Wait);
        var waited = System.Diagnostics.Stopwatch.GetElapsedTime(started);

        Assert.NotNull(result.Response);
        Assert.True(waited >= TimeSpan.FromMilliseconds(0.5), $"the batch ran after {waited.TotalMilliseconds:F3} ms, before its 0.5 ms delay");
        Assert.True(queue.Passes - before <= 4, $"the loop passed over the queue {queue.Passes - before} times in a 0.5 ms wait");
    }

    [Fact]
    public async Task Enqueue_ClockMovesPastTheDelayWhileTheLoopSetsItsTimer_TheBatchStillRuns()
    {
        // The loop decides to wait 10 ms, then the clock moves 10 ms before its timer exists (another thread advancing
        // a fake clock; on the real one, the time the loop takes to get there). A timer set after the move is due 10 ms
        // later still, and on a clock that moves no more it never fires: the loop must see the delay is over anyway.
        var time = new ClockMovedWhileTimerIsSet(TimeSpan.FromMilliseconds(10));
        var runner = new FakeModelRunner(8);
        await using var queue = Queue(runner, Settings(delayMs: 10), time);

        var result = await queue.Enqueue(Floats.Request("a", 1, 2)).WaitAsync(Wait);

        Assert.NotNull(result.Response);
        Assert.Equal([1L], runner.BatchRows);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(5);
        }
    }

    // A fake clock moved on by the given time from inside the first timer's creation.
    private sealed class ClockMovedWhileTimerIsSet(TimeSpan by) : FakeTimeProvider
    {
        private int _moved;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (Interlocked.Exchange(ref _moved, 1) == 0)
            {
                Advance(by);
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
