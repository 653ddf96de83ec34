using Microsoft.Extensions.Hosting;
using Prometheus;

namespace GrainServe.Monitoring;

/// <summary>
/// Publishes the <c>GrainServe</c> meter (<see cref="GrainServeMetrics"/>: batch sizes, queue delays, evictions, cold
/// starts) to the Prometheus registry served on the metrics port, with buckets sized for inference: batch sizes in
/// powers of two, durations from 50 µs to 10 s, cold starts up to 10 minutes. One listener per process, however many
/// silos it hosts (a test process may host several): a second would count every measurement again.
/// (prometheus-net's default adapter did not pick up this meter's histograms, so it gets its own listener.)
/// </summary>
public sealed class PrometheusMeterExport : IHostedService
{
    private static readonly double[] SizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
    private static readonly double[] SecondBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

    // A cold start is a model load: tens of milliseconds for a small model, minutes for a large one.
    private static readonly double[] RatioBuckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
    private static readonly double[] LoadSecondBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private static readonly Lock Gate = new();
    private static IDisposable? _adapter;
    private static int _users;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (_users++ == 0)
            {
                _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
                {
                    InstrumentFilterPredicate = instrument => instrument.Meter.Name == GrainServeMetrics.MeterName,
                    ResolveHistogramBuckets = instrument => instrument.Name == "cold_start_duration_seconds" ? LoadSecondBuckets : instrument.Name == "synthesis_real_time_factor" ? RatioBuckets : instrument.Unit == "s" ? SecondBuckets : SizeBuckets,
                });
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (--_users == 0)
            {
                _adapter?.Dispose();
                _adapter = null;
            }
        }

        return Task.CompletedTask;
    }
}
