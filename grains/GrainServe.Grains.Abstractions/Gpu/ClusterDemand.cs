namespace GrainServe.Gpu;

/// <summary>
/// The device silos the cluster wants against those it has, for a node autoscaler (KEDA, an HPA on an external metric):
/// enough silos to hold what is loaded plus what could not be placed, and to keep the requests waiting per device under
/// a target.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.ClusterDemand")]
public sealed record ClusterDemand
{
    /// <summary>Silos with at least one device in the cluster now (draining ones excluded).</summary>
    [Id(0)] public int DeviceSilos { get; init; }

    /// <summary>The silos wanted: at least 1, the larger of the memory and the load need.</summary>
    [Id(1)] public int DesiredDeviceSilos { get; init; }

    /// <summary>Bytes that model versions wanted and no device could give, as their last refusals reported them.</summary>
    [Id(2)] public long UnplacedBytes { get; init; }

    /// <summary>Silos needed to hold the bytes in use plus <see cref="UnplacedBytes"/>, at the silos' mean budget.</summary>
    [Id(3)] public int MemoryNeed { get; init; }

    /// <summary>Silos needed to keep requests queued or running per device at or under the target.</summary>
    [Id(4)] public int LoadNeed { get; init; }
}
