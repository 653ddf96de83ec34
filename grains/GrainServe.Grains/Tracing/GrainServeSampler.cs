using System.Diagnostics;
using OpenTelemetry.Trace;

namespace GrainServe.Tracing;

/// <summary>
/// The configured sampler, with two rules before it that keep traces about requests:
/// <list type="bullet">
/// <item>A new trace with a sampled link is sampled: a batch (<see cref="Telemetry.TelemetryNames.BatchSpan"/>) starts a
/// trace of its own and links each traced request it serves; at a ratio below 1 it would otherwise be drawn apart from
/// them, and mostly missing from the very traces that point to it.</item>
/// <item>A new trace that starts with a client call is dropped: that is a grain call this process made on its own (the
/// router's table refresh, a device's registration, a timer), several a second, never part of a request. The same calls
/// made for a request have a parent and are traced with it.</item>
/// </list>
/// A dropped span still carries its context, so logs and child calls keep the trace id.
/// </summary>
internal sealed class GrainServeSampler(Sampler configured) : Sampler
{
    private static readonly SamplingResult Sampled = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Dropped = new(SamplingDecision.Drop);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (samplingParameters.ParentContext.TraceId == default)
        {
            if (samplingParameters.Links is { } links)
            {
                foreach (var link in links)
                {
                    if ((link.Context.TraceFlags & ActivityTraceFlags.Recorded) != 0)
                    {
                        return Sampled;
                    }
                }
            }

            if (samplingParameters.Kind == ActivityKind.Client)
            {
                return Dropped;
            }
        }

        return configured.ShouldSample(samplingParameters);
    }
}
