using GrainServe.Hosting;
using GrainServe.Telemetry;
using GrainServe.Tracing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace Orleans.Hosting;

/// <summary>Adds OpenTelemetry tracing to a GrainServe silo: the gateway's and the device silo's hosts call it alike.</summary>
public static class GrainServeTracingExtensions
{
    /// <summary>
    /// When <see cref="TracingOptions.Enabled"/> (an OTLP endpoint is configured, or <c>Tracing:Enabled</c>): carries the
    /// trace context through grain calls, records GrainServe's and Orleans' grain-call spans with the configured sampler,
    /// and exports them over OTLP, which the standard <c>OTEL_EXPORTER_OTLP_*</c> variables configure. When not, adds
    /// nothing: no listener, no grain call filter. <paramref name="configure"/> adds the host's own instrumentation (the
    /// gateway's ASP.NET Core spans) or, in tests, an exporter.
    /// </summary>
    public static ISiloBuilder AddGrainServeTracing(this ISiloBuilder builder, IConfiguration configuration, string defaultServiceName, Action<TracerProviderBuilder>? configure = null)
    {
        var options = ConfigureTracingOptions.Read(configuration);
        if (!options.Enabled)
        {
            return builder;
        }

        builder.AddActivityPropagation();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName ?? defaultServiceName))
            .WithTracing(tracing =>
            {
                tracing.SetSampler(new GrainServeSampler(CreateSampler(options)));
                // Grain calls (application grains, and the runtime's own: a streamed generation's enumeration is one).
                tracing.AddSource(TelemetryNames.ActivitySourceName, ActivitySources.ApplicationGrainActivitySourceName, ActivitySources.RuntimeActivitySourceName);
                configure?.Invoke(tracing);
                tracing.AddOtlpExporter();
            });
        return builder;
    }

    private static Sampler CreateSampler(TracingOptions options) => options.Sampler switch
    {
        TracingSamplers.AlwaysOn => new AlwaysOnSampler(),
        TracingSamplers.AlwaysOff => new AlwaysOffSampler(),
        TracingSamplers.TraceIdRatio => new TraceIdRatioBasedSampler(options.SamplingRatio),
        TracingSamplers.ParentBasedAlwaysOn => new ParentBasedSampler(new AlwaysOnSampler()),
        TracingSamplers.ParentBasedAlwaysOff => new ParentBasedSampler(new AlwaysOffSampler()),
        _ => new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SamplingRatio)),
    };
}
