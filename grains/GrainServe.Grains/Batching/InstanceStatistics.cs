using GrainServe.Models;

namespace GrainServe.Batching;

/// <summary>
/// Accumulates one instance's statistics as its batches run. Written by the batch loop, read by the grain:
/// a lock keeps the snapshot consistent; it is taken once per batch, not per request.
/// </summary>
public sealed class InstanceStatistics
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<ulong, BatchStatistics> _batches = [];
    private ModelStatistics _totals;

    /// <summary>Starts empty.</summary>
    public InstanceStatistics(string modelName, string modelVersion)
    {
        _totals = new ModelStatistics { Name = modelName, Version = modelVersion };
    }

    /// <summary>
    /// Records a successful batch of <paramref name="requests"/> requests and <paramref name="rows"/> rows, with
    /// each request's queue and total times.
    /// </summary>
    public void RecordBatch(int requests, int rows, TimeSpan input, TimeSpan infer, TimeSpan output, TimeSpan queueTotal, TimeSpan successTotal, DateTimeOffset finished)
    {
        var n = (ulong)requests;
        lock (_lock)
        {
            _totals = _totals with
            {
                LastInference = (ulong)finished.ToUnixTimeMilliseconds(),
                InferenceCount = _totals.InferenceCount + (ulong)rows,
                ExecutionCount = _totals.ExecutionCount + 1,
                Success = _totals.Success + new StatisticDuration(n, Ns(successTotal)),
                Queue = _totals.Queue + new StatisticDuration(n, Ns(queueTotal)),
                ComputeInput = _totals.ComputeInput + new StatisticDuration(n, Ns(input) * n),
                ComputeInfer = _totals.ComputeInfer + new StatisticDuration(n, Ns(infer) * n),
                ComputeOutput = _totals.ComputeOutput + new StatisticDuration(n, Ns(output) * n),
            };
            var size = (ulong)rows;
            var entry = new BatchStatistics(size, new StatisticDuration(1, Ns(input)), new StatisticDuration(1, Ns(infer)), new StatisticDuration(1, Ns(output)));
            _batches[size] = _batches.TryGetValue(size, out var existing) ? existing + entry : entry;
        }
    }

    /// <summary>Records requests that failed in this instance (rejected, timed out or in a failed batch).</summary>
    public void RecordFailures(int requests, TimeSpan total)
    {
        lock (_lock)
        {
            _totals = _totals with { Fail = _totals.Fail + new StatisticDuration((ulong)requests, Ns(total)) };
        }
    }

    /// <summary>Batches run so far; cheaper than a <see cref="Snapshot"/> when that is all a caller needs.</summary>
    public ulong ExecutionCount
    {
        get
        {
            lock (_lock)
            {
                return _totals.ExecutionCount;
            }
        }
    }

    /// <summary>A consistent copy of the figures so far.</summary>
    public ModelStatistics Snapshot()
    {
        lock (_lock)
        {
            return _totals with { BatchStats = [.. _batches.Values] };
        }
    }

    private static ulong Ns(TimeSpan duration) => (ulong)Math.Max(0, duration.Ticks) * 100;
}
