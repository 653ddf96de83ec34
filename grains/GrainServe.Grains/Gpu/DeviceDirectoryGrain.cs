namespace GrainServe.Gpu;

/// <summary>
/// Keeps the cluster's device list in memory. GPU grains re-register periodically, so a new activation of
/// this grain (after its silo left) is complete again within one registration period.
/// </summary>
[KeepAlive]
internal sealed class DeviceDirectoryGrain : Grain, IDeviceDirectoryGrain
{
    private readonly Dictionary<string, DeviceInfo> _devices = new(StringComparer.Ordinal);
    private readonly IClusterMembershipService _membership;

    public DeviceDirectoryGrain(IClusterMembershipService membership)
    {
        _membership = membership;
    }

    public Task Register(DeviceInfo device)
    {
        _devices[device.Key] = device;
        return Task.CompletedTask;
    }

    public Task<DeviceInfo[]> GetDevices()
    {
        var active = _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
        var devices = _devices.Values
            .Where(d => !d.Draining && DeviceKey.TryParse(d.Key, out var silo, out _) && active.Contains(silo))
            .OrderBy(d => d.Key, StringComparer.Ordinal)
            .ToArray();
        return Task.FromResult(devices);
    }
}
