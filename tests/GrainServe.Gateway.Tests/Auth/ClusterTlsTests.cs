using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Auth;

/// <summary>
/// TLS between silos (<c>Cluster:Tls</c>): the silo port shakes hands with the configured certificate, and only with a
/// peer that shows the cluster's certificate in turn.
/// </summary>
[Collection(AuthGatewayCollection.Name)]
public sealed class ClusterTlsTests(AuthGatewayFixture fixture)
{
    [Fact]
    public async Task SiloPort_APeerWithTheClustersCertificate_CompletesTheHandshakeWithIt()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, fixture.SiloPort);
        await using var tls = new SslStream(client.GetStream());

        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = new X509CertificateCollection { fixture.Certificate.Certificate },
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });

        Assert.Equal(fixture.Certificate.Certificate.Thumbprint, tls.RemoteCertificate!.GetCertHashString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SiloPort_APeerWithoutTheClustersCertificate_IsRefused(bool showsAnotherCertificate)
    {
        using var other = showsAnotherCertificate ? TestCertificate.CreateOther() : null;
        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, fixture.SiloPort);
        await using var tls = new SslStream(client.GetStream());

        // The server asks for a certificate; without the cluster's the handshake fails, or the connection closes right after it.
        var refused = false;
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = other is null ? null : new X509CertificateCollection { other },
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            var buffer = new byte[1];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            refused = await tls.ReadAsync(buffer, timeout.Token) == 0;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            refused = true;
        }

        Assert.True(refused, "a peer without the cluster's certificate was kept connected");
    }
}
