using GrainServe.Errors;
using GrainServe.Gpu;
using Prometheus;

namespace GrainServe.Gateway.Hosting;

/// <summary>
/// The node autoscaling gauges, read from the device directory at each scrape: what a KEDA <c>ScaledObject</c> (or an HPA
/// on an external metric) scales the device silos' Deployment by (<c>k8s/keda/scaledobject.yaml</c>).
/// </summary>
internal static class ClusterDemandGauges
{
    private static readonly Gauge Desired = Metrics.CreateGauge(
        "grainserve_desired_device_silos",
        "Device silos the cluster wants: enough to hold what is loaded plus what no device had room for, and to keep requests per device under the target.");

    private static readonly Gauge Current = Metrics.CreateGauge("grainserve_device_silos", "Device silos in the cluster now (draining ones excluded).");

    private static readonly Gauge Unplaced = Metrics.CreateGauge("grainserve_unplaced_bytes", "Bytes that model versions wanted and no device could give.");

    /// <summary>Sets the gauges from the directory; a directory that cannot answer in time leaves their last values.</summary>
    public static async Task UpdateAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        try
        {
            var demand = await grains.GetGrain<IDeviceDirectoryGrain>(0).GetDemand().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            Desired.Set(demand.DesiredDeviceSilos);
            Current.Set(demand.DeviceSilos);
            Unplaced.Set(demand.UnplacedBytes);
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            // A scrape must not fail because the directory is moving silos.
        }
    }
}
