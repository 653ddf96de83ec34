namespace GrainServe.Gpu;

/// <summary>
/// The cluster-wide list of devices. Every GPU grain registers itself when it activates and again
/// periodically, so the list heals if this grain is lost; devices of silos that left are dropped.
/// </summary>
/// <remarks>Key: always 0; there is one directory per cluster.</remarks>
public interface IDeviceDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or refreshes a device.</summary>
    Task Register(DeviceInfo device);

    /// <summary>Every device of a silo that is active in the cluster and not draining, with its figures as last registered.</summary>
    Task<DeviceInfo[]> GetDevices();

    /// <summary>
    /// Records that a model version wants <paramref name="bytes"/> more than any device could give it (every device
    /// refused its instance for lack of memory); 0 clears it once the version placed. The unmet demand feeds
    /// <see cref="GetDemand"/>.
    /// </summary>
    Task ReportUnplaced(string model, string version, long bytes);

    /// <summary>How many device silos the cluster wants for its demand, against what it has: the autoscaling gauge for nodes.</summary>
    Task<ClusterDemand> GetDemand();
}
