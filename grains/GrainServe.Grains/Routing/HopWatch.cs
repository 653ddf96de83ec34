namespace GrainServe.Routing;

/// <summary>
/// Tells a slow device from a dead hop. A request that waits on its device longer than <see cref="ProbeAfter"/> makes
/// the router probe the device's grain (<c>IGpuGrain.Ping</c>, answered at once by a live silo however busy its device);
/// a probe unanswered within <see cref="ProbeTimeout"/> means the silo is hung or cut off (a stopped process keeps its
/// sockets open, so nothing fails), and the wait ends with a <see cref="TimeoutException"/>, which the router treats as a
/// lost instance. So a request on a hung node fails over within about <see cref="ProbeAfter"/> + <see cref="ProbeTimeout"/>
/// instead of waiting the many seconds the membership protocol takes to declare the silo dead, while a long request on
/// a live device (a generation, a transcription) runs as long as it needs: it is the silo's liveness that is checked,
/// not the call's duration.
/// </summary>
public sealed class HopWatch(TimeProvider time)
{
    /// <summary>How long a call runs before its device is probed, and between probes.</summary>
    public static readonly TimeSpan ProbeAfter = TimeSpan.FromSeconds(1);

    /// <summary>How long a probe may take before the hop is declared dead.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(1500);

    /// <summary>
    /// Awaits <paramref name="call"/>, probing with <paramref name="probe"/> while it runs long. Throws
    /// <see cref="TimeoutException"/> naming <paramref name="device"/> when a probe goes unanswered; the caller cancels the
    /// abandoned call.
    /// </summary>
    public async Task<T> AwaitAsync<T>(Task<T> call, Func<Task> probe, string device, CancellationToken cancellationToken)
    {
        while (true)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var delay = Task.Delay(ProbeAfter, time, wait.Token);
                var first = await Task.WhenAny(call, delay).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                if (first == call)
                {
                    return await call.ConfigureAwait(false);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            var ping = probe();
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timeout = Task.Delay(ProbeTimeout, time, timer.Token);
            var answered = await Task.WhenAny(call, ping, timeout).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
            if (answered == call)
            {
                return await call.ConfigureAwait(false);
            }

            if (answered == timeout)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException($"device {device} did not answer a liveness probe within {ProbeTimeout.TotalMilliseconds:0} ms while a request waited on it: its silo is hung or cut off");
            }

            // The probe answered (the device is alive and busy) or failed as unreachable, which the caller routes around.
            await ping.ConfigureAwait(false);
        }
    }
}
