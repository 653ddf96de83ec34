using System.Diagnostics;
using System.Globalization;

namespace GrainServe.Bench;

/// <summary>
/// Samples a process's memory, handles and threads every <c>interval</c> until stopped. On Linux it reads
/// <c>/proc/&lt;pid&gt;/status</c> (VmRSS, Threads) and counts <c>/proc/&lt;pid&gt;/fd</c>, which see every thread and
/// descriptor of the process; elsewhere it falls back to <see cref="Process"/>'s counters.
/// </summary>
internal sealed class ProcessSampler(int processId, TimeSpan interval)
{
    private readonly List<ProcessSample> _samples = [];

    public IReadOnlyList<ProcessSample> Samples => _samples;

    public async Task RunAsync(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(interval);
        do
        {
            _samples.Add(Take(clock.Elapsed));
        }
        while (await Tick(timer, stop));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private ProcessSample Take(TimeSpan at)
    {
        using var process = Process.GetProcessById(processId);
        var status = $"/proc/{processId}/status";
        if (!File.Exists(status))
        {
            return new ProcessSample(at, process.WorkingSet64, process.PrivateMemorySize64, process.HandleCount, process.Threads.Count);
        }

        var fields = File.ReadAllLines(status).Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
        var resident = long.Parse(fields["VmRSS"].Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        var threads = int.Parse(fields["Threads"], CultureInfo.InvariantCulture);
        var handles = Directory.GetFileSystemEntries($"/proc/{processId}/fd").Length;
        return new ProcessSample(at, resident, process.PrivateMemorySize64, handles, threads);
    }
}
