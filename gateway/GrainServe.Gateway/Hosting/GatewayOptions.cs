namespace GrainServe.Gateway.Hosting;

/// <summary>
/// The gateway's listeners and limits. Ports follow Triton's defaults.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Gateway";

    /// <summary>
    /// The address the listeners bind. Default <c>127.0.0.1</c>, reachable from this machine only; set
    /// <c>0.0.0.0</c> in a container (the Kubernetes manifests do).
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The V2 REST port. Default 8000.</summary>
    public int HttpPort { get; set; } = 8000;

    /// <summary>The V2 gRPC port (HTTP/2; without TLS, h2c, unless <see cref="Tls"/> is on). Default 8001.</summary>
    public int GrpcPort { get; set; } = 8001;

    /// <summary>
    /// The metrics port, serving Prometheus at <c>/metrics</c>, the Orleans dashboard at <c>/dashboard</c> and the operator
    /// page at <c>/</c>. Default 8002.
    /// </summary>
    public int MetricsPort { get; set; } = 8002;

    /// <summary>
    /// The largest request body accepted, in bytes; a larger one gets 413. Keep it below Orleans'
    /// <c>MaxMessageBodySize</c> (100 MiB), over which a grain call would hang instead of failing. Default 64 MiB.
    /// </summary>
    public long MaxRequestBytes { get; set; } = 64L << 20;

    /// <summary>
    /// The largest gRPC message accepted, in bytes; a larger one fails with RESOURCE_EXHAUSTED. Like
    /// <see cref="MaxRequestBytes"/> it must stay below Orleans' 100 MiB message limit. Default 64 MiB.
    /// </summary>
    public long GrpcMaxMessageBytes { get; set; } = 64L << 20;

    /// <summary>TLS for the REST and gRPC ports; off unless a certificate is configured.</summary>
    public GatewayTlsOptions Tls { get; set; } = new();
}
