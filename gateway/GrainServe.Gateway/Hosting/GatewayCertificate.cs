using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GrainServe.Gateway.Hosting;

/// <summary>Reads the REST and gRPC certificate of <see cref="GatewayTlsOptions"/>, failing the start with a fix-it message.</summary>
internal static class GatewayCertificate
{
    public static X509Certificate2? Load(GatewayTlsOptions tls)
    {
        if (!tls.Enabled)
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(tls.CertificatePath!, tls.KeyPath);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"{GatewayOptions.SectionName}:Tls: '{tls.CertificatePath}' and '{tls.KeyPath}' are not a PEM certificate and its unencrypted private key ({ex.Message}); in Kubernetes, replace the placeholder TLS Secret (kubectl create secret tls ...).", ex);
        }
    }
}
