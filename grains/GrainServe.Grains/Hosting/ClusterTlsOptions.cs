namespace GrainServe.Hosting;

/// <summary>
/// TLS between the silos of the cluster (<c>Cluster:Tls</c>): on when <see cref="CertificatePath"/> is set, off by
/// default. Every silo of a cluster must agree: one with TLS cannot talk to one without.
/// </summary>
public sealed class ClusterTlsOptions
{
    /// <summary>
    /// This silo's certificate, PEM (a TLS Secret's <c>tls.crt</c>), presented to the silos it connects to and that
    /// connect to it; its extended key usage, where it has one, must allow both server and client authentication.
    /// Default none: silos talk in plain TCP.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The certificate's private key, PEM (unencrypted). Required with <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>True when TLS is configured.</summary>
    public bool Enabled => CertificatePath is not null;
}
