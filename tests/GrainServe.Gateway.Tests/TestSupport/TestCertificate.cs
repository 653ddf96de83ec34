using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GrainServe.TestSupport;

/// <summary>A self-signed certificate for 127.0.0.1 and localhost, made in the test, written as PEM files as a TLS Secret holds them.</summary>
public sealed class TestCertificate
{
    private TestCertificate(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        Certificate = certificate;
        CertificatePath = certificatePath;
        KeyPath = keyPath;
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public static TestCertificate Write(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = Create(key);
        Directory.CreateDirectory(folder);
        var certificatePath = Path.Combine(folder, "tls.crt");
        var keyPath = Path.Combine(folder, "tls.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new TestCertificate(certificate, certificatePath, keyPath);
    }

    /// <summary>Another certificate of the same kind, with its key, kept in memory only.</summary>
    public static X509Certificate2 CreateOther()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Create(key);
    }

    private static X509Certificate2 Create(ECDsa key)
    {
        var request = new CertificateRequest("CN=grainserve-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        // Silos use it both ways: each is a TLS server to some peers and a client to others.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A handler that trusts this certificate, and no other.</summary>
    public HttpClientHandler TrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.RawData.AsSpan().SequenceEqual(Certificate.RawData),
    };
}
