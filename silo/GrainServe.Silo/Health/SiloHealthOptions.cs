namespace GrainServe.Silo.Health;

/// <summary>The device silo's HTTP health endpoints, for Kubernetes probes.</summary>
public sealed class SiloHealthOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Health";

    /// <summary>
    /// The port serving <c>/health/startup</c>, <c>/health/ready</c> and <c>/health/live</c>, on every address.
    /// Null (default) serves none, so several silos can run on one machine; the Kubernetes manifest sets 8080.
    /// </summary>
    public int? Port { get; set; }
}
