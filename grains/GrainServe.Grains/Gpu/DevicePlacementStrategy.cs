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
}
