using GrainServe.Gpu;

namespace GrainServe.Models;

/// <summary>
/// The order in which placement tries devices, across every model, not one model at a time: the most memory free (as a
/// share of the budget, in 10 % bands, so devices of different sizes compare fairly and small differences do not
/// decide), then the fewest instances of any model, then the fewest requests waiting, then at random, so that model
/// grains placing at the same moment (every model at start-up) spread out rather than all pick the same device.
/// </summary>
public static class DeviceRanking
{
    /// <summary>The devices best first.</summary>
    public static List<DeviceInfo> Order(IEnumerable<DeviceInfo> devices, Random random) =>
        devices
            .Select(d => (Device: d, Tiebreak: random.Next()))
            .OrderByDescending(d => FreeBand(d.Device))
            .ThenBy(d => d.Device.InstanceCount)
            .ThenBy(d => d.Device.PendingRequests)
            .ThenBy(d => d.Tiebreak)
            .Select(d => d.Device)
            .ToList();

    private static int FreeBand(DeviceInfo device) =>
        device.BudgetBytes <= 0 ? 0 : (int)(10.0 * device.AvailableBytes / device.BudgetBytes);
}
