namespace GrainServe.Bench;

/// <summary>What one arm measured: requests answered, the rows they carried, latencies and time.</summary>
internal sealed record Measurement(string Arm, int Concurrency, long Requests, long Rows, long Errors, TimeSpan Elapsed, double[] LatenciesMs, double ServerCpuSeconds, double AverageBatch)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    public double CpuMicrosecondsPerRequest => Requests == 0 ? 0 : ServerCpuSeconds * 1e6 / Requests;

    private double Percentile(double q)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }
}
