using GrainServe.Runtime;

namespace GrainServe.Monitoring;

/// <summary>One loaded instance as the metrics port sees it; disposing it (at unload) folds its counts into its version's totals.</summary>
public sealed class InstanceRegistration : IDisposable
{
    private readonly VersionSeries _series;

    internal InstanceRegistration(VersionSeries series, string deviceKey, IInstanceScheduler scheduler)
    {
        _series = series;
        DeviceKey = deviceKey;
        Scheduler = scheduler;
    }

    internal string DeviceKey { get; }

    internal IInstanceScheduler Scheduler { get; }

    /// <inheritdoc />
    public void Dispose() => _series.Retire(this);
}
