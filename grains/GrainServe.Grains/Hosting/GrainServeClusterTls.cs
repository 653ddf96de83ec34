using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GrainServe.Hosting;
using Orleans.Connections.Security;

namespace Orleans.Hosting;

/// <summary>Orleans' TLS (Microsoft.Orleans.Connections.Security) on a silo's connections, from <see cref="ClusterTlsOptions"/>.</summary>
internal static class GrainServeClusterTls
{
    public static ISiloBuilder UseGrainServeTls(this ISiloBuilder builder, ClusterTlsOptions tls)
    {
        foreach (var (path, label) in new[] { (tls.CertificatePath, nameof(ClusterTlsOptions.CertificatePath)), (tls.KeyPath, nameof(ClusterTlsOptions.KeyPath)) })
        {
            if (path is null || !File.Exists(path))
            {
                throw new InvalidOperationException($"{ClusterHostingOptions.SectionName}:Tls:{label} '{path}' is not a file; silo TLS needs the certificate and its key as PEM files (a TLS Secret's tls.crt and tls.key), or neither setting for plain TCP.");
            }
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(tls.CertificatePath!, tls.KeyPath);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"{ClusterHostingOptions.SectionName}:Tls: '{tls.CertificatePath}' and '{tls.KeyPath}' are not a PEM certificate and its unencrypted private key ({ex.Message}); in Kubernetes, replace the placeholder TLS Secret (kubectl create secret tls ...).", ex);
        }

        return builder.UseTls(certificate, options =>
        {
            // Both sides show a certificate: a process that cannot is not a member of this cluster.
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (remote, _, errors) => IsMember(certificate, remote, errors);
        });
    }

    // A peer is trusted when the machine's trust store vouches for its certificate (a cluster CA installed on the nodes)
    // or when it shows this silo's own certificate (the common case: every pod mounts the same Secret), self-signed or not.
    private static bool IsMember(X509Certificate2 own, X509Certificate2? remote, SslPolicyErrors errors) =>
        remote is not null && (errors == SslPolicyErrors.None || remote.RawDataMemory.Span.SequenceEqual(own.RawDataMemory.Span));
}
