using GrainServe.Batching;
using GrainServe.Runtime;

namespace GrainServe.Monitoring;

/// <summary>
/// The figures of one model version on this silo: its live instances' statistics, what unloaded instances counted (so
/// counters never go backwards), and the per-request families (summaries, the first-response histogram) that all its
/// instances here feed.
/// </summary>
internal sealed class VersionSeries : IRequestTimingListener
{
    private readonly Lock _lock = new();
    private readonly List<InstanceRegistration> _live = [];
    private readonly Dictionary<string, TimeSpan> _retiredBusy = new(StringComparer.Ordinal);
    private readonly BucketHistogram? _firstResponse;
    private Totals _retired = Totals.Zero;
    private bool _streamed;

    public VersionSeries(string model, string version, MetricsOptions options, TimeProvider time)
    {
        Model = model;
        Version = version;
        _firstResponse = options.HistogramLatencies ? new BucketHistogram(options.FirstResponseBuckets) : null;
        if (options.SummaryLatencies)
        {
            var quantiles = options.ParsedQuantiles();
            Summaries = [.. Enumerable.Range(0, 5).Select(_ => new SlidingSummary(quantiles, options.SummaryWindow, time))];
        }
    }

    public string Model { get; }

    public string Version { get; }

    /// <summary>Request, queue, compute input, infer and output summaries, in microseconds; null when summaries are off.</summary>
    public SlidingSummary[]? Summaries { get; }

    /// <summary>The first-response histogram, once a streamed request has fed it; null before (Triton writes it only for decoupled models).</summary>
    public BucketHistogram? FirstResponse => Volatile.Read(ref _streamed) ? _firstResponse : null;

    public InstanceRegistration Add(string deviceKey, IInstanceScheduler scheduler)
    {
        var registration = new InstanceRegistration(this, deviceKey, scheduler);
        scheduler.Statistics.Listener = this;
        lock (_lock)
        {
            _live.Add(registration);
        }

        return registration;
    }

    public void Retire(InstanceRegistration registration)
    {
        var last = registration.Scheduler.Statistics.Figures();
        lock (_lock)
        {
            if (!_live.Remove(registration))
            {
                return;
            }

            _retired += Totals.Of(last);
            _retiredBusy[registration.DeviceKey] = _retiredBusy.GetValueOrDefault(registration.DeviceKey) + last.BusyTime;
        }
    }

    /// <summary>A consistent reading: totals over live and retired instances, pending requests, and busy time and instance count per device.</summary>
    public Reading Read()
    {
        List<InstanceRegistration> live;
        Totals totals;
        Dictionary<string, (TimeSpan Busy, int Instances)> devices;
        lock (_lock)
        {
            live = [.. _live];
            totals = _retired;
            devices = _retiredBusy.ToDictionary(d => d.Key, d => (d.Value, 0), StringComparer.Ordinal);
        }

        var waiting = 0;
        foreach (var registration in live)
        {
            var figures = registration.Scheduler.Statistics.Figures();
            totals += Totals.Of(figures);
            waiting += registration.Scheduler.Waiting;
            var (busy, instances) = devices.GetValueOrDefault(registration.DeviceKey);
            devices[registration.DeviceKey] = (busy + figures.BusyTime, instances + 1);
        }

        return new Reading(totals, waiting, devices);
    }

    public void OnSuccess(RequestTiming timing, TimeSpan input, TimeSpan infer, TimeSpan output)
    {
        if (Summaries is not { } summaries)
        {
            return;
        }

        summaries[0].Record(timing.Total.TotalMicroseconds);
        summaries[1].Record(timing.Queue.TotalMicroseconds);
        summaries[2].Record(input.TotalMicroseconds);
        summaries[3].Record(infer.TotalMicroseconds);
        summaries[4].Record(output.TotalMicroseconds);
    }

    public void OnFirstResponse(TimeSpan sinceArrival)
    {
        if (_firstResponse is null)
        {
            return;
        }

        _firstResponse.Record(sinceArrival.TotalMilliseconds);
        Volatile.Write(ref _streamed, true);
    }

    /// <summary>What <see cref="Read"/> returns.</summary>
    public sealed record Reading(Totals Totals, int Waiting, IReadOnlyDictionary<string, (TimeSpan Busy, int Instances)> Devices);

    /// <summary>The counters, summed over instances.</summary>
    public sealed record Totals(ulong Success, long[] Failures, ulong Inferences, ulong Executions, ulong RequestNs, ulong QueueNs, ulong InputNs, ulong InferNs, ulong OutputNs)
    {
        public static Totals Zero { get; } = new(0, new long[FailureReasons.All.Count], 0, 0, 0, 0, 0, 0, 0);

        public static Totals Of(InstanceFigures figures)
        {
            var t = figures.Totals;
            return new Totals(t.Success.Count, [.. figures.FailuresByReason], t.InferenceCount, t.ExecutionCount, t.Success.Ns, t.Queue.Ns, t.ComputeInput.Ns, t.ComputeInfer.Ns, t.ComputeOutput.Ns);
        }

        public static Totals operator +(Totals a, Totals b) => new(
            a.Success + b.Success,
            [.. a.Failures.Zip(b.Failures, (x, y) => x + y)],
            a.Inferences + b.Inferences,
            a.Executions + b.Executions,
            a.RequestNs + b.RequestNs,
            a.QueueNs + b.QueueNs,
            a.InputNs + b.InputNs,
            a.InferNs + b.InferNs,
            a.OutputNs + b.OutputNs);
    }
}
