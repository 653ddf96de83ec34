using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Routing;

public sealed class HopWatchTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AwaitAsync_QuickCall_ReturnsWithoutAProbe()
    {
        var watch = new HopWatch(new FakeTimeProvider());
        var probes = 0;

        var result = await watch.AwaitAsync(Task.FromResult(7), () => { probes++; return Task.CompletedTask; }, "node/gpu0", CancellationToken.None);

        Assert.Equal(7, result);
        Assert.Equal(0, probes);
    }

    [Fact]
    public async Task AwaitAsync_LongCallOnALiveDevice_RunsToItsEnd_ProbingOncePerInterval()
    {
        var time = new FakeTimeProvider();
        var watch = new HopWatch(time);
        var call = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probes = 0;

        var waiting = watch.AwaitAsync(call.Task, () => { Interlocked.Increment(ref probes); return Task.CompletedTask; }, "node/gpu0", CancellationToken.None);
        for (var second = 0; second < 5; second++)
        {
            await AdvanceAsync(time, HopWatch.ProbeAfter);
        }

        call.SetResult(42);

        Assert.Equal(42, await waiting.WaitAsync(Wait));
        Assert.InRange(Volatile.Read(ref probes), 1, 5);
    }

    [Fact]
    public async Task AwaitAsync_ProbeUnanswered_FailsWithTimeoutNamingTheDevice_AfterTheProbeTimeout()
    {
        var time = new FakeTimeProvider();
        var watch = new HopWatch(time);
        var call = new TaskCompletionSource<int>();
        var hungProbe = new TaskCompletionSource();

        var waiting = watch.AwaitAsync(call.Task, () => hungProbe.Task, "node-2/gpu0", CancellationToken.None);
        var elapsed = TimeSpan.Zero;
        for (var step = 0; step < 200 && !waiting.IsCompleted; step++)
        {
            await AdvanceAsync(time, TimeSpan.FromMilliseconds(50));
            elapsed += TimeSpan.FromMilliseconds(50);
        }

        // Not before the probe was due and had its whole time to answer.
        Assert.True(elapsed >= HopWatch.ProbeAfter + HopWatch.ProbeTimeout, $"gave up after {elapsed.TotalMilliseconds} ms");
        var error = await Assert.ThrowsAsync<TimeoutException>(() => waiting);
        Assert.Contains("node-2/gpu0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwaitAsync_CallerGoesAway_EndsWithCancellation()
    {
        var time = new FakeTimeProvider();
        var watch = new HopWatch(time);
        using var caller = new CancellationTokenSource();

        var waiting = watch.AwaitAsync(new TaskCompletionSource<int>().Task, () => Task.CompletedTask, "node/gpu0", caller.Token);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Wait));
    }

    // Advances the fake clock and lets the continuations it released run (they run on the thread pool).
    private static async Task AdvanceAsync(FakeTimeProvider time, TimeSpan by)
    {
        await Task.Delay(5);
        time.Advance(by);
        await Task.Delay(5);
    }
}
