namespace GrainServe.Gpu;

/// <summary>
/// Works out how many device silos the cluster wants, from the devices' registrations and the memory that model versions
/// could not get. Pure, so the rule is tested on its own: the directory grain feeds it.
/// </summary>
public static class DeviceSiloDemand
{
    /// <summary>
    /// Requests queued or running per device above which one more silo is wanted: a few full batches, enough that a
    /// device is never idle between batches, few enough that waiting stays short.
    /// </summary>
    public const int TargetPendingPerDevice = 32;

    /// <summary>The demand for <paramref name="devices"/> (active, not draining) given <paramref name="unplacedBytes"/> of unmet memory.</summary>
    public static ClusterDemand Compute(IReadOnlyCollection<DeviceInfo> devices, long unplacedBytes)
    {
        var silos = devices.GroupBy(d => DeviceKey.TryParse(d.Key, out var silo, out _) ? silo : d.Key, StringComparer.Ordinal).ToList();
        if (silos.Count == 0)
        {
            // Nothing to serve on: one silo is the least that can.
            return new ClusterDemand { DeviceSilos = 0, DesiredDeviceSilos = 1, UnplacedBytes = unplacedBytes, MemoryNeed = 1, LoadNeed = 1 };
        }

        var budgetPerSilo = Math.Max(1.0, silos.Average(s => (double)s.Sum(d => d.BudgetBytes)));
        var devicesPerSilo = silos.Average(s => (double)s.Count());
        var memoryNeed = (int)Math.Ceiling((devices.Sum(d => d.UsedBytes) + unplacedBytes) / budgetPerSilo);
        var loadNeed = (int)Math.Ceiling(devices.Sum(d => d.PendingRequests) / (TargetPendingPerDevice * devicesPerSilo));
        return new ClusterDemand
        {
            DeviceSilos = silos.Count,
            DesiredDeviceSilos = Math.Max(1, Math.Max(memoryNeed, loadNeed)),
            UnplacedBytes = unplacedBytes,
            MemoryNeed = memoryNeed,
            LoadNeed = loadNeed,
        };
    }
}
