using Microsoft.Extensions.Configuration;

namespace GrainServe.Hosting;

/// <summary>
/// How a process joins the GrainServe cluster and which roles it plays. The embedded default is one process
/// that is the whole cluster: localhost clustering, gateway and devices together.
/// </summary>
public sealed class ClusterHostingOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Cluster";

    /// <summary>
    /// The silo's name, the first part of its GPU grain keys. Keep it stable across restarts of the same node
    /// (in Kubernetes, the node or pod name) so its devices keep their keys. Default: the machine name.
    /// </summary>
    public string SiloName { get; set; } = Environment.MachineName;

    /// <summary>The silo name <paramref name="configuration"/> gives, before the host is built (the metrics port labels its series with it).</summary>
    public static string SiloNameFrom(IConfiguration configuration) =>
        (configuration.GetSection(SectionName).Get<ClusterHostingOptions>() ?? new ClusterHostingOptions()).SiloName;

    /// <summary>The Orleans cluster id; silos with the same id form one cluster. Default <c>grainserve</c>.</summary>
    public string ClusterId { get; set; } = "grainserve";

    /// <summary>The Orleans service id, stable across deployments of the same service. Default <c>grainserve</c>.</summary>
    public string ServiceId { get; set; } = "grainserve";

    /// <summary>The port silos talk to each other on. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port Orleans clients connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// With localhost clustering, the silo port of the first silo, which the others join; null (default) makes
    /// this silo the first. Lets several processes on one machine form a cluster without a membership store.
    /// </summary>
    public int? PrimarySiloPort { get; set; }

    /// <summary>Whether this process hosts devices (GPU grains). Default true; false makes a gateway-only silo.</summary>
    public bool HostDevices { get; set; } = true;

    /// <summary>
    /// Where membership lives: <see cref="ClusteringKinds.Localhost"/> (default; one machine, the first silo is the
    /// primary) or <see cref="ClusteringKinds.Redis"/> (any number of machines; the table is in Redis).
    /// </summary>
    public string Clustering { get; set; } = ClusteringKinds.Localhost;

    /// <summary>The Redis connection string for Redis clustering, StackExchange.Redis syntax. Default <c>127.0.0.1:6379</c>.</summary>
    public string RedisConnectionString { get; set; } = "127.0.0.1:6379";

    /// <summary>
    /// The address other silos reach this one on, with Redis clustering: the pod IP in Kubernetes (environment
    /// variable <c>POD_IP</c> when set). Default <c>127.0.0.1</c>. Ignored with localhost clustering.
    /// </summary>
    public string AdvertisedIPAddress { get; set; } = Environment.GetEnvironmentVariable(PodIpVariable) ?? "127.0.0.1";

    /// <summary>TLS between silos; off unless a certificate is configured.</summary>
    public ClusterTlsOptions Tls { get; set; } = new();

    /// <summary>The environment variable Kubernetes' downward API fills with the pod's IP.</summary>
    public const string PodIpVariable = "POD_IP";
}
