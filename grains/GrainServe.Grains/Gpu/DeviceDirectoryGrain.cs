namespace GrainServe.Gpu;

/// <summary>
/// Keeps the cluster's device list in memory. GPU grains re-register periodically, so a new activation of
/// this grain (after its silo left) is complete again within one registration period.
/// </summary>
[KeepAlive]
internal sealed class DeviceDirectoryGrain : Grain, IDeviceDirectoryGrain
{
    // How long an unmet demand counts without being reported again: a version that stopped trying wants nothing.
    private static readonly TimeSpan UnplacedLifetime = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, DeviceInfo> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Model, string Version), (long Bytes, DateTimeOffset At)> _unplaced = new();
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

    public Task ReportUnplaced(string model, string version, long bytes)
    {
        if (bytes > 0)
        {
            _unplaced[(model, version)] = (bytes, DateTimeOffset.UtcNow);
        }
        else
        {
            _unplaced.Remove((model, version));
        }

        return Task.CompletedTask;
    }

    public async Task<ClusterDemand> GetDemand()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var stale in _unplaced.Where(u => now - u.Value.At > UnplacedLifetime).Select(u => u.Key).ToList())
        {
            _unplaced.Remove(stale);
        }

        return DeviceSiloDemand.Compute(await GetDevices(), _unplaced.Values.Sum(u => u.Bytes));
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
