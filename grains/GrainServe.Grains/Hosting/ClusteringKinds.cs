namespace GrainServe.Hosting;

/// <summary>The membership stores a GrainServe cluster can use (<see cref="ClusterHostingOptions.Clustering"/>).</summary>
public static class ClusteringKinds
{
    /// <summary>Localhost clustering: every silo on one machine, joined to the first. For the embedded default and tests.</summary>
    public const string Localhost = nameof(Localhost);

    /// <summary>Membership in Redis (<c>Microsoft.Orleans.Clustering.Redis</c>): silos on any number of machines.</summary>
    public const string Redis = nameof(Redis);
}
