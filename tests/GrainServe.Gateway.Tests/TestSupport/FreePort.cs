using System.Net;
using System.Net.Sockets;

namespace GrainServe.TestSupport;

internal static class FreePort
{
    /// <summary>A port the OS just handed out, so parallel test processes do not share ports.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
