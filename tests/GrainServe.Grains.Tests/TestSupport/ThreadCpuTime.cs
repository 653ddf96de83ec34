using System.Runtime.InteropServices;

namespace GrainServe.TestSupport;

/// <summary>
/// CPU time the calling thread has used (Linux CLOCK_THREAD_CPUTIME_ID): on a loaded machine a wall clock also counts
/// the time other processes held the core, which says nothing about the code being measured.
/// </summary>
internal static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>The calling thread's CPU time, or null off Linux.</summary>
    public static TimeSpan? Now()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out var spec) != 0)
        {
            return null;
        }

        return TimeSpan.FromTicks(spec.Seconds * TimeSpan.TicksPerSecond + spec.Nanoseconds / 100);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // DllImport rather than LibraryImport, whose generated marshalling needs unsafe code enabled in the project.
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec spec);
}
