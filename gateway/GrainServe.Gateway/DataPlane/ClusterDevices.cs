using GrainServe.Gpu;
using GrainServe.Errors;

namespace GrainServe.Gateway.DataPlane;

/// <summary>The cluster's devices with their live figures, for operators (<c>GET /v2/cluster/devices</c>).</summary>
internal static class ClusterDevices
{
    public static async Task<IReadOnlyList<DeviceInfo>> ListAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var registered = await grains.GetGrain<IDeviceDirectoryGrain>(0).GetDevices().WaitAsync(cancellationToken);
        var live = await Task.WhenAll(registered.Select(async d =>
        {
            try
            {
                return await grains.GetGrain<IGpuGrain>(d.Key).GetInfo().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                // Its silo is leaving: show what it last registered.
                return d;
            }
        }));
        return live;
    }
}
