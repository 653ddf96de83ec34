namespace GrainServe.Hosting;

/// <summary>The samplers <see cref="TracingOptions.Sampler"/> names, with OpenTelemetry's names for them (<c>OTEL_TRACES_SAMPLER</c>'s values).</summary>
public static class TracingSamplers
{
    /// <summary>Every span.</summary>
    public const string AlwaysOn = "always_on";

    /// <summary>No span.</summary>
    public const string AlwaysOff = "always_off";

    /// <summary>A fraction of traces, by trace id, whatever the parent decided.</summary>
    public const string TraceIdRatio = "traceidratio";

    /// <summary>The parent's decision; every new trace.</summary>
    public const string ParentBasedAlwaysOn = "parentbased_always_on";

    /// <summary>The parent's decision; no new trace.</summary>
    public const string ParentBasedAlwaysOff = "parentbased_always_off";

    /// <summary>The parent's decision; a fraction of new traces.</summary>
    public const string ParentBasedTraceIdRatio = "parentbased_traceidratio";

    /// <summary>Every name above.</summary>
    public static IReadOnlyList<string> All { get; } = [AlwaysOn, AlwaysOff, TraceIdRatio, ParentBasedAlwaysOn, ParentBasedAlwaysOff, ParentBasedTraceIdRatio];
}
