using GrainServe.Models;

namespace GrainServe.Batching;

/// <summary>
/// Accumulates one instance's statistics as its batches run. Written by the batch loop, read by the grain and the
/// metrics port: a lock keeps the snapshot consistent; it is taken once per batch, not per request.
/// </summary>
public sealed class InstanceStatistics
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<ulong, BatchStatistics> _batches = [];
    private readonly long[] _failures = new long[FailureReasons.All.Count];
    private ModelStatistics _totals;
    private TimeSpan _busy;

    /// <summary>Starts empty.</summary>
    public InstanceStatistics(string modelName, string modelVersion)
    {
        _totals = new ModelStatistics { Name = modelName, Version = modelVersion };
    }

    /// <summary>
    /// Where the instance's device time comes from when its scheduler shares steps between requests (the generation
    /// engine): then request times overlap and cannot be summed. Added to what <see cref="RecordBusy"/> counted.
    /// </summary>
    public Func<TimeSpan>? BusyTimeSource { get; set; }

    /// <summary>Hears every request's times; set by the silo's metrics when the instance loads.</summary>
    public IRequestTimingListener? Listener { get; set; }

    /// <summary>
    /// Records a successful batch of <paramref name="rows"/> rows: its compute phases, which are also the device time
    /// it took, and each of its requests' queue and total times.
    /// </summary>
    public void RecordBatch(int rows, TimeSpan input, TimeSpan infer, TimeSpan output, ReadOnlySpan<RequestTiming> requests, DateTimeOffset finished)
    {
        var n = (ulong)requests.Length;
        var queueTotal = TimeSpan.Zero;
        var successTotal = TimeSpan.Zero;
        foreach (var request in requests)
        {
            queueTotal += request.Queue;
            successTotal += request.Total;
        }

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
            if (BusyTimeSource is null)
            {
                _busy += input + infer + output;
            }
        }

        if (Listener is { } listener)
        {
            foreach (var request in requests)
            {
                listener.OnSuccess(request, input, infer, output);
            }
        }
    }

    /// <summary>Records requests that failed in this instance (rejected, timed out, cancelled, invalid or in a failed batch).</summary>
    public void RecordFailures(int requests, TimeSpan total, FailureReason reason)
    {
        lock (_lock)
        {
            _totals = _totals with { Fail = _totals.Fail + new StatisticDuration((ulong)requests, Ns(total)) };
            _failures[(int)reason] += requests;
        }
    }

    /// <summary>Adds device time that no successful batch accounts for (a failed batch, an encoder run).</summary>
    public void RecordBusy(TimeSpan duration)
    {
        lock (_lock)
        {
            _busy += duration;
        }
    }

    /// <summary>A streamed request sent its first response, <paramref name="sinceArrival"/> after it arrived.</summary>
    public void RecordFirstResponse(TimeSpan sinceArrival) => Listener?.OnFirstResponse(sinceArrival);

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

    /// <summary>The totals, failures by reason and device time, for the metrics port.</summary>
    public InstanceFigures Figures()
    {
        var external = BusyTimeSource?.Invoke() ?? TimeSpan.Zero;
        lock (_lock)
        {
            return new InstanceFigures(_totals, [.. _failures], _busy + external);
        }
    }

    private static ulong Ns(TimeSpan duration) => (ulong)Math.Max(0, duration.Ticks) * 100;
}
