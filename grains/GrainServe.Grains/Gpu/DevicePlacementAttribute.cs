using Orleans.Placement;

namespace GrainServe.Gpu;

/// <summary>Marks a grain class as placed by <see cref="DevicePlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class DevicePlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public DevicePlacementAttribute() : base(DevicePlacementStrategy.Instance)
    {
    }
}
