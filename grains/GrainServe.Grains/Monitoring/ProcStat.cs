using System.Globalization;

namespace GrainServe.Monitoring;

/// <summary>
/// The machine's CPU and memory figures as Triton reads them on Linux: utilization from <c>/proc/stat</c> (busy jiffies
/// over all jiffies since the previous reading), memory from <c>/proc/meminfo</c> (used = MemTotal − MemAvailable).
/// </summary>
internal static class ProcStat
{
    /// <summary>The aggregate <c>cpu</c> line's busy and total jiffies; null where there is no /proc (not Linux).</summary>
    public static (ulong Busy, ulong Total)? ReadCpu(string path = "/proc/stat")
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var reader = new StreamReader(path);
        return ParseCpu(reader.ReadLine() ?? "");
    }

    /// <summary>Parses <c>cpu user nice system idle iowait irq softirq steal ...</c>; idle and iowait are the idle time.</summary>
    public static (ulong Busy, ulong Total)? ParseCpu(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5 || fields[0] != "cpu")
        {
            return null;
        }

        // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
        var values = fields.Skip(1).Take(8).Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = values.Aggregate(0UL, (sum, v) => sum + v);
        var idle = values[3] + (values.Length > 4 ? values[4] : 0);
        return (total - idle, total);
    }

    /// <summary>MemTotal and MemTotal − MemAvailable, in bytes; null where there is no /proc/meminfo.</summary>
    public static (long Total, long Used)? ReadMemory(string path = "/proc/meminfo") =>
        File.Exists(path) ? ParseMemory(File.ReadLines(path)) : null;

    /// <summary>Parses meminfo's <c>MemTotal:  N kB</c> and <c>MemAvailable:  N kB</c> lines.</summary>
    public static (long Total, long Used)? ParseMemory(IEnumerable<string> lines)
    {
        long? total = null;
        long? available = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                total = Kilobytes(line);
            }
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                available = Kilobytes(line);
            }

            if (total is not null && available is not null)
            {
                return (total.Value, total.Value - available.Value);
            }
        }

        return null;
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
