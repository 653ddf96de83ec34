using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Batching;

/// <summary>The batch queue's priority levels and deadlines, on a fake clock and a fake runner.</summary>
public sealed class BatchQueuePriorityTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static BatchingSettings Settings(int max = 1, double delayMs = 0, int levels = 0, int defaultLevel = 1) =>
        new(max, true, [], TimeSpan.FromMilliseconds(delayMs), 0, TimeSpan.Zero, QueueTimeoutAction.Reject)
        {
            PriorityLevels = levels,
            DefaultPriorityLevel = defaultLevel,
        };

    private static BatchQueue Queue(FakeModelRunner runner, BatchingSettings settings, TimeProvider time) =>
        new("fake", "1", runner, settings, time, NullLogger.Instance);

    // One row whose two values are the request's number, so a batch's input says which requests it holds.
    private static InferenceRequest Request(float number, string? priority = null, DateTimeOffset? deadline = null, string? timeoutUs = null)
    {
        var parameters = new Dictionary<string, string>();
        if (priority is not null)
        {
            parameters[QueueParameters.Priority] = priority;
        }

        if (timeoutUs is not null)
        {
            parameters[QueueParameters.Timeout] = timeoutUs;
        }

        return new InferenceRequest($"r{number}", null, [Floats.Tensor("INPUT0", [1, 2], number, number)], null)
        {
            Parameters = parameters.Count > 0 ? parameters : null,
            Deadline = deadline,
        };
    }

    // The requests of each batch run, by number, in run order.
    private static float[][] Batches(FakeModelRunner runner) =>
        [.. runner.BatchInputs.Select(values => values.Where((_, i) => i % 2 == 0).ToArray())];

    [Fact]
    public async Task Enqueue_HigherLevelsWaiting_AreBatchedFirstAndFifoWithinALevel()
    {
        var runner = new FakeModelRunner(2) { Gate = new TaskCompletionSource() };
        await using var queue = Queue(runner, Settings(max: 2, levels: 3, defaultLevel: 2), TimeProvider.System);

        var blocker = queue.Enqueue(Request(0));
        await WaitUntil(() => queue.Queued == 0 && queue.Pending == 1);
        var waiting = new[]
        {
            queue.Enqueue(Request(1, priority: "3")),
            queue.Enqueue(Request(2)),
            queue.Enqueue(Request(3, priority: "1")),
            queue.Enqueue(Request(4, priority: "2")),
            queue.Enqueue(Request(5, priority: "1")),
            queue.Enqueue(Request(6, priority: "0")),
        };
        runner.Gate.SetResult();
        var results = await Task.WhenAll([blocker, .. waiting]).WaitAsync(Wait);

        Assert.All(results, r => Assert.NotNull(r.Response));
        // Level 1 (3, 5), then level 2 (2 and 4, then 6: no priority and priority 0 both take the default), then level 3.
        Assert.Equal([[0f], [3f, 5f], [2f, 4f], [6f, 1f]], Batches(runner));
    }

    [Fact]
    public async Task Enqueue_DeadlinesWithinALevel_RunEarliestDeadlineFirstAndAfterHigherLevels()
    {
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(1) { Gate = new TaskCompletionSource() };
        await using var queue = Queue(runner, Settings(levels: 2, defaultLevel: 2), time);
        var now = time.GetUtcNow();

        var blocker = queue.Enqueue(Request(0));
        await WaitUntil(() => queue.Queued == 0 && queue.Pending == 1);
        var waiting = new[]
        {
            queue.Enqueue(Request(1, deadline: now.AddSeconds(5))),
            queue.Enqueue(Request(2)),
            queue.Enqueue(Request(3, deadline: now.AddSeconds(1))),
            queue.Enqueue(Request(4, priority: "1")),
            queue.Enqueue(Request(5, deadline: now.AddSeconds(3))),
        };
        runner.Gate.SetResult();
        var results = await Task.WhenAll([blocker, .. waiting]).WaitAsync(Wait);

        Assert.All(results, r => Assert.NotNull(r.Response));
        // Level 1 first even without a deadline; then level 2 by deadline, the one without a deadline last.
        Assert.Equal([[0f], [4f], [3f], [5f], [1f], [2f]], Batches(runner));
    }

    [Fact]
    public async Task Enqueue_DeadlinePassesWhileWaiting_FailsWithTheDeadlineCodeAndNeverReachesTheRunner()
    {
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(1) { Gate = new TaskCompletionSource() };
        await using var queue = Queue(runner, Settings(), time);

        var blocker = queue.Enqueue(Request(0));
        await WaitUntil(() => queue.Queued == 0 && queue.Pending == 1);
        var late = queue.Enqueue(Request(1, deadline: time.GetUtcNow().AddMilliseconds(100)));
        var loose = queue.Enqueue(Request(2, deadline: time.GetUtcNow().AddSeconds(10)));
        time.Advance(TimeSpan.FromMilliseconds(200));
        runner.Gate.SetResult();
        var results = await Task.WhenAll(blocker, late, loose).WaitAsync(Wait);

        Assert.Equal(InferenceErrorCode.DeadlineExceeded, results[1].Error!.Code);
        Assert.Contains("deadline", results[1].Error!.Message, StringComparison.Ordinal);
        Assert.NotNull(results[2].Response);
        Assert.Equal([[0f], [2f]], Batches(runner));
        Assert.Equal(1ul, queue.Statistics.Snapshot().Fail.Count);
    }

    [Fact]
    public async Task Enqueue_DeadlineCloserThanTheBatchAllowance_IsRefusedAtOnceUnrun()
    {
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(1);
        runner.OnRun = () => time.Advance(TimeSpan.FromMilliseconds(50));
        await using var queue = Queue(runner, Settings(), time);
        Assert.NotNull((await queue.Enqueue(Request(0)).WaitAsync(Wait)).Response);
        // One batch of 50 ms: its spread starts at half of it, so a deadline must leave 50 + 2 × 25 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(50), queue.Estimate.BatchTime);
        Assert.Equal(TimeSpan.FromMilliseconds(100), queue.Estimate.Allowance);

        var tooClose = await queue.Enqueue(Request(1, deadline: time.GetUtcNow().AddMilliseconds(80))).WaitAsync(Wait);
        var inTime = await queue.Enqueue(Request(2, deadline: time.GetUtcNow().AddMilliseconds(150))).WaitAsync(Wait);

        Assert.Equal(InferenceErrorCode.DeadlineExceeded, tooClose.Error!.Code);
        Assert.Contains("80 ms left; a batch here takes up to about 100 ms", tooClose.Error.Message, StringComparison.Ordinal);
        Assert.Equal(new ServiceEstimate(TimeSpan.FromMilliseconds(50), 1), tooClose.Estimate);
        Assert.NotNull(inTime.Response);
        Assert.Equal([[0f], [2f]], Batches(runner));
    }

    [Fact]
    public async Task Enqueue_DeadlineBeforeTheQueueDelay_RunsTheBatchWhenItMustStartToMeetIt()
    {
        // Batches take 50 ms, allowed 100 ms with their spread; max_queue_delay is a second. A request due in 200 ms
        // must start by 100 ms, so the batch it forms with a request without a deadline runs then, and both are
        // answered by 200 ms.
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(8);
        runner.OnRun = () => time.Advance(TimeSpan.FromMilliseconds(50));
        await using var queue = Queue(runner, Settings(max: 8, delayMs: 1000), time);
        var warm = queue.Enqueue(Request(0));
        await AdvanceUntil(time, warm, TimeSpan.FromMilliseconds(1000));

        var start = time.GetUtcNow();
        var due = queue.Enqueue(Request(1, deadline: start.AddMilliseconds(200)));
        var free = queue.Enqueue(Request(2));
        time.Advance(TimeSpan.FromMilliseconds(90));
        await Task.Delay(100);
        Assert.Single(runner.BatchRows);

        time.Advance(TimeSpan.FromMilliseconds(10));
        var results = await Task.WhenAll(due, free).WaitAsync(Wait);

        Assert.All(results, r => Assert.NotNull(r.Response));
        Assert.Equal([[0f], [1f, 2f]], Batches(runner));
        Assert.True(time.GetUtcNow() <= start.AddMilliseconds(200), $"answered at {(time.GetUtcNow() - start).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Enqueue_LevelQueueFull_RefusesThatLevelOnly()
    {
        var runner = new FakeModelRunner(1) { Gate = new TaskCompletionSource() };
        var settings = Settings(levels: 2, defaultLevel: 2) with { LevelPolicies = new Dictionary<int, QueuePolicy> { [2] = new(1, TimeSpan.Zero, QueueTimeoutAction.Reject, false) } };
        await using var queue = Queue(runner, settings, TimeProvider.System);

        var blocker = queue.Enqueue(Request(0));
        await WaitUntil(() => queue.Queued == 0 && queue.Pending == 1);
        var low = queue.Enqueue(Request(1));
        var refused = await queue.Enqueue(Request(2)).WaitAsync(Wait);
        var high = queue.Enqueue(Request(3, priority: "1"));
        runner.Gate.SetResult();

        Assert.Equal(InferenceErrorCode.QueueFull, refused.Error!.Code);
        Assert.Contains("at priority level 2", refused.Error.Message, StringComparison.Ordinal);
        Assert.All(await Task.WhenAll(blocker, low, high).WaitAsync(Wait), r => Assert.NotNull(r.Response));
    }

    [Fact]
    public async Task Enqueue_TimeoutParameter_ShortensAnOverridableDefaultTimeout()
    {
        var time = new FakeTimeProvider();
        var runner = new FakeModelRunner(8);
        var settings = new BatchingSettings(8, true, [], TimeSpan.FromSeconds(60), 0, TimeSpan.FromSeconds(1), QueueTimeoutAction.Reject) { AllowTimeoutOverride = true };
        await using var queue = Queue(runner, settings, time);

        var shortened = queue.Enqueue(Request(1, timeoutUs: "50000"));
        var lengthened = queue.Enqueue(Request(2, timeoutUs: "5000000"));
        time.Advance(TimeSpan.FromMilliseconds(100));
        var result = await shortened.WaitAsync(Wait);

        Assert.Equal(InferenceErrorCode.Timeout, result.Error!.Code);
        Assert.Contains("50 ms timeout", result.Error.Message, StringComparison.Ordinal);
        Assert.False(lengthened.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(InferenceErrorCode.Timeout, (await lengthened.WaitAsync(Wait)).Error!.Code);
        Assert.Empty(runner.BatchRows);
    }

    [Theory]
    [InlineData("3", "out of range")]
    [InlineData("-1", "whole number")]
    [InlineData("1.5", "whole number")]
    public async Task Enqueue_BadPriority_IsInvalidInputUnrun(string priority, string expected)
    {
        var runner = new FakeModelRunner(8);
        await using var queue = Queue(runner, Settings(levels: 2), TimeProvider.System);

        var result = await queue.Enqueue(Request(1, priority: priority)).WaitAsync(Wait);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
        Assert.Contains(expected, result.Error.Message, StringComparison.Ordinal);
        Assert.Empty(runner.BatchRows);
    }

    // Moves the fake clock on until the request is answered (the queue's loop may arm its timer after any one Advance).
    private static async Task AdvanceUntil(FakeTimeProvider time, Task<InferenceResult> request, TimeSpan step)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!request.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the request was never answered");
            time.Advance(step);
            await Task.Delay(10);
        }

        Assert.NotNull((await request).Response);
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
}
