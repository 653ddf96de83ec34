namespace GrainServe.Hosting;

/// <summary>
/// Distributed tracing of this process, bound from the <c>Tracing</c> section. Off unless an OTLP endpoint is configured
/// (or <see cref="Enabled"/> is set): then no listener exists, and every span GrainServe, Orleans and ASP.NET Core would
/// make costs one check. On, spans go to the OTLP exporter, which the standard variables configure
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>…).
/// Each property's default comes from the standard OpenTelemetry variable named with it (see
/// <see cref="ConfigureTracingOptions"/>); a value in the section wins over the variable.
/// </summary>
public sealed class TracingOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Tracing";

    /// <summary>The OTLP endpoint for every signal; setting it turns tracing on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The OTLP endpoint for traces only; setting it turns tracing on.</summary>
    public const string OtlpTracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    /// <summary>The standard service name variable.</summary>
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    /// <summary>The standard sampler variable (values: <see cref="TracingSamplers"/>).</summary>
    public const string SamplerVariable = "OTEL_TRACES_SAMPLER";

    /// <summary>The standard sampler argument variable: the ratio, for the ratio samplers.</summary>
    public const string SamplerArgVariable = "OTEL_TRACES_SAMPLER_ARG";

    /// <summary>
    /// Whether this process records spans and exports them over OTLP. Default: true when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> is set, false otherwise.
    /// Enabled without an endpoint, the exporter sends to the OTLP default, <c>http://localhost:4317</c> (gRPC).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Which sampler decides what is recorded, by its OpenTelemetry name (<see cref="TracingSamplers"/>). Default
    /// <c>OTEL_TRACES_SAMPLER</c>, else <see cref="TracingSamplers.ParentBasedTraceIdRatio"/>: a request whose client
    /// sent a sampled <c>traceparent</c> is always traced, others at <see cref="SamplingRatio"/>.
    /// </summary>
    public string Sampler { get; set; } = TracingSamplers.ParentBasedTraceIdRatio;

    /// <summary>
    /// The fraction of new traces recorded, 0 to 1, with <see cref="TracingSamplers.TraceIdRatio"/> and
    /// <see cref="TracingSamplers.ParentBasedTraceIdRatio"/>; ignored by the other samplers. Default
    /// <c>OTEL_TRACES_SAMPLER_ARG</c>, else 1 (every request).
    /// </summary>
    public double SamplingRatio { get; set; } = 1.0;

    /// <summary>
    /// The <c>service.name</c> of this process's spans. Default <c>OTEL_SERVICE_NAME</c>, else the host's role:
    /// <c>grainserve-gateway</c> or <c>grainserve-silo</c>.
    /// </summary>
    public string? ServiceName { get; set; }
}
