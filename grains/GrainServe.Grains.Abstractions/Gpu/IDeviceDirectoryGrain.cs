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
}
