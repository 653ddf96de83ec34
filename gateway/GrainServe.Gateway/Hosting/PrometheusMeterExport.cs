using Prometheus;

namespace GrainServe.Gateway.Hosting;

/// <summary>
/// Publishes the <c>GrainServe</c> meter to the Prometheus registry served on the metrics port, with buckets
/// sized for inference: batch sizes in powers of two, durations from 50 µs to 10 s, cold starts up to 10 minutes.
/// (prometheus-net's default adapter did not pick up this meter's histograms, so it gets its own listener.)
/// </summary>
internal sealed class PrometheusMeterExport : IHostedService
{
    private static readonly double[] SizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
    private static readonly double[] SecondBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

    // A cold start is a model load: tens of milliseconds for a small model, minutes for a large one.
    private static readonly double[] LoadSecondBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private IDisposable? _adapter;

    /// <summary>
    /// Keeps the GrainServe meter out of prometheus-net's default adapter, which listens to every meter: when both
    /// listened (it depends on start-up order), every measurement was counted twice. Called before the host builds.
    /// </summary>
    public static void ExcludeFromDefaultAdapter() =>
        Metrics.ConfigureMeterAdapter(o => o.InstrumentFilterPredicate = instrument => instrument.Meter.Name != GrainServeMetrics.MeterName);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument => instrument.Meter.Name == GrainServeMetrics.MeterName,
            ResolveHistogramBuckets = instrument => instrument.Name == "cold_start_duration_seconds" ? LoadSecondBuckets : instrument.Unit == "s" ? SecondBuckets : SizeBuckets,
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _adapter?.Dispose();
        return Task.CompletedTask;
    }
}
