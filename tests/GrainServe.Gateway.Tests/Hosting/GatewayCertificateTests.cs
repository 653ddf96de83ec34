using GrainServe.TestSupport;

namespace GrainServe.Gateway.Hosting;

public sealed class GatewayCertificateTests
{
    [Fact]
    public void Load_PemFilesOfATlsSecret_GivesTheCertificateWithItsKey()
    {
        var folder = Path.Combine(Path.GetTempPath(), "grainserve-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var written = TestCertificate.Write(folder);

            using var loaded = GatewayCertificate.Load(new GatewayTlsOptions { CertificatePath = written.CertificatePath, KeyPath = written.KeyPath });

            Assert.Equal(written.Certificate.Thumbprint, loaded!.Thumbprint);
            Assert.True(loaded.HasPrivateKey);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_ThePlaceholderSecret_FailsSayingHowToFixIt()
    {
        var folder = Path.Combine(Path.GetTempPath(), "grainserve-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "tls.crt"), "replace with the PEM certificate chain");
            File.WriteAllText(Path.Combine(folder, "tls.key"), "replace with the PEM private key");

            var error = Assert.Throws<InvalidOperationException>(() => GatewayCertificate.Load(new GatewayTlsOptions { CertificatePath = Path.Combine(folder, "tls.crt"), KeyPath = Path.Combine(folder, "tls.key") }));

            Assert.Contains("kubectl create secret tls", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Validator_ACertificateWithoutItsKey_Fails()
    {
        var result = new GatewayOptionsValidator().Validate(null, new GatewayOptions { Tls = new GatewayTlsOptions { CertificatePath = "/nowhere/tls.crt" } });

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Tls:KeyPath is missing", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'/nowhere/tls.crt' does not exist", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_NoTls_IsFine()
    {
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions()).Succeeded);
    }
}
