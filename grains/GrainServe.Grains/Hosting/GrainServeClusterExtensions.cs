using System.Net;
using GrainServe.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;

namespace Orleans.Hosting;

/// <summary>Configures an Orleans silo as a member of a GrainServe cluster, from the <c>Cluster</c> section.</summary>
public static class GrainServeClusterExtensions
{
    /// <summary>
    /// Sets the silo's name, cluster ids and endpoints, localhost clustering, and the GrainServe grains (plus
    /// devices when <see cref="ClusterHostingOptions.HostDevices"/> is true).
    /// </summary>
    public static ISiloBuilder UseGrainServeCluster(this ISiloBuilder builder, IConfiguration configuration)
    {
        var options = configuration.GetSection(ClusterHostingOptions.SectionName).Get<ClusterHostingOptions>() ?? new ClusterHostingOptions();
        var primary = options.PrimarySiloPort is { } port ? new IPEndPoint(IPAddress.Loopback, port) : null;
        builder.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId);
        builder.Configure<SiloOptions>(o => o.SiloName = options.SiloName);
        builder.AddInferenceGrains();
        if (options.HostDevices)
        {
            builder.AddDevices();
        }

        return builder;
    }
}
