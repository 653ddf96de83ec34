using System.Net;
using GrainServe.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Orleans.Hosting;

/// <summary>Configures an Orleans silo as a member of a GrainServe cluster, from the <c>Cluster</c> section.</summary>
public static class GrainServeClusterExtensions
{
    /// <summary>
    /// Sets the silo's name, cluster ids and endpoints, the membership store (localhost or Redis) with failure
    /// detection tuned for a serving cluster, and the GrainServe grains (plus devices when
    /// <see cref="ClusterHostingOptions.HostDevices"/> is true).
    /// </summary>
    public static ISiloBuilder UseGrainServeCluster(this ISiloBuilder builder, IConfiguration configuration)
    {
        var section = configuration.GetSection(ClusterHostingOptions.SectionName);
        var options = section.Get<ClusterHostingOptions>() ?? new ClusterHostingOptions();
        switch (options.Clustering)
        {
            case ClusteringKinds.Localhost:
                var primary = options.PrimarySiloPort is { } port ? new IPEndPoint(IPAddress.Loopback, port) : null;
                builder.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId);
                break;
            case ClusteringKinds.Redis:
                var address = IPAddress.TryParse(options.AdvertisedIPAddress, out var parsed) ? parsed
                    : throw new InvalidOperationException($"Cluster:AdvertisedIPAddress '{options.AdvertisedIPAddress}' is not an IP address; set it (or POD_IP) to the address other silos reach this one on.");
                builder.UseRedisClustering(options.RedisConnectionString);

                // State that must outlive a silo (a model's traffic weights and canary verdicts) lives beside membership.
                builder.AddRedisGrainStorage(GrainStorage.Name, o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(options.RedisConnectionString));
                builder.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ServiceId;
                });
                builder.ConfigureEndpoints(address, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
                break;
            default:
                throw new InvalidOperationException($"Cluster:Clustering '{options.Clustering}' is not known; use {ClusteringKinds.Localhost} or {ClusteringKinds.Redis}.");
        }

        builder.Configure<SiloOptions>(o => o.SiloName = options.SiloName);
        if (options.Tls.Enabled)
        {
            builder.UseGrainServeTls(options.Tls);
        }

        // A serving cluster wants a dead device node out of rotation within seconds: probe every second and declare
        // a silo dead after three missed probes (about 3 s for a crash, longer for a hung process whose socket stays
        // open). Cluster:Membership overrides any of these (Orleans' ClusterMembershipOptions names).
        builder.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 3;
            o.NumVotesForDeathDeclaration = 1;
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        });
        builder.Services.Configure<ClusterMembershipOptions>(section.GetSection("Membership"));

        // Shutdown drains the device queues (see DeviceActivator); the host must allow it the time.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.AddInferenceGrains();
        if (options.HostDevices)
        {
            builder.AddDevices();
        }

        return builder;
    }
}
