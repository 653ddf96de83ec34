using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GrainServe.Batching;

/// <summary>
/// Waits shorter than a millisecond, for the batch loop's <c>max_queue_delay_microseconds</c>. .NET's timers count whole
/// milliseconds (a <see cref="Task.Delay(TimeSpan)"/> of 0.5 ms completes at once, one of 1.4 ms after 1 ms), so a
/// loop that waits on them for less either spins until the delay is over (what the batch loop did, burning a core
/// while a batch filled) or oversleeps it. This blocks the calling thread in <c>nanosleep</c> slices instead, as
/// Triton's batcher waits on a condition variable with a microsecond timeout, and returns early when
/// <c>wake</c> completes (a request arrived, so the batch may be full).
/// </summary>
internal static partial class FineDelay
{
    /// <summary>What .NET's timers resolve: a wait at least this long goes to a timer.</summary>
    public static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(1);

    // Linux may add its default 50 µs timer slack to each sleep, so a slice ends 50 to 100 µs after it starts: the wait
    // overshoots by about a slice, and a waiting loop wakes about 10 000 times a second rather than spinning.
    private static readonly TimeSpan Slice = TimeSpan.FromMicroseconds(50);

    /// <summary>Whether the platform has <c>nanosleep</c> here (glibc's <c>libc.so.6</c>); elsewhere callers use a timer.</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out _);

    /// <summary>
    /// Blocks until <paramref name="delay"/> has passed, <paramref name="wake"/> has completed or
    /// <paramref name="cancellationToken"/> is cancelled, whichever is first.
    /// </summary>
    public static void Wait(TimeSpan delay, Task wake, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (!wake.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            var left = delay - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            var slice = left < Slice ? left : Slice;
            var time = new Timespec { Seconds = 0, Nanoseconds = slice.Ticks * 100 };
            _ = NanoSleep(ref time, IntPtr.Zero);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // Interrupted by a signal it returns early with EINTR; the loop above sleeps again for what is left.
    [LibraryImport("libc.so.6", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(ref Timespec requested, IntPtr remaining);
}
