namespace GrainServe.Gateway.Hosting;

/// <summary>
/// TLS for the gateway's REST and gRPC ports (<c>Gateway:Tls</c>): on when <see cref="CertificatePath"/> is set, off by
/// default. PEM files, as a Kubernetes TLS Secret holds them (<c>tls.crt</c>, <c>tls.key</c>); read once, at start.
/// </summary>
public sealed class GatewayTlsOptions
{
    /// <summary>The server certificate (and any intermediates after it), PEM. Default none: plain HTTP and h2c.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The certificate's private key, PEM (unencrypted). Required with <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// Whether the metrics port takes TLS too. Default false: Prometheus scrapes it inside the cluster, in plain HTTP, as
    /// it does every silo's. Set it where browsers sign in to the metrics port across a network.
    /// </summary>
    public bool OnMetricsPort { get; set; }

    /// <summary>True when TLS is configured.</summary>
    public bool Enabled => CertificatePath is not null;
}
