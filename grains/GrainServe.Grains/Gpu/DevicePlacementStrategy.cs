namespace GrainServe.Gpu;

/// <summary>
/// Places a GPU grain on the silo named in its key, and nowhere else. Register
/// <see cref="DevicePlacementDirector"/> on every silo, the gateway's too, since placement runs on the caller's silo.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("GrainServe.DevicePlacementStrategy")]
public sealed class DevicePlacementStrategy : PlacementStrategy
{
    /// <summary>The one instance; the strategy has no settings.</summary>
    public static DevicePlacementStrategy Instance { get; } = new();

    /// <summary>
    /// False: the key names the grain's silo, so the grain needs no directory entry, and must have none. Orleans
    /// deactivates every activation whose directory entry was kept by a silo that died; a GPU grain on a surviving
    /// node would go with it, unloading its instances and ending the requests they were serving.
    /// </summary>
    public override bool IsUsingGrainDirectory => false;
}
