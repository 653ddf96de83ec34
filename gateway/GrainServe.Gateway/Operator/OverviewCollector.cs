using GrainServe.Errors;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gpu;
using GrainServe.Models;

namespace GrainServe.Gateway.Operator;

/// <summary>
/// Gathers what the cluster already knows for the operator page: the devices with their live figures, and per model its
/// versions, traffic split and instances. It only reads: a model none of whose versions was tried is not loaded by it.
/// </summary>
internal static class OverviewCollector
{
    public static async Task<(IReadOnlyList<DeviceInfo> Devices, IReadOnlyList<ModelSnapshot> Models)> CollectAsync(IInferenceDataPlane dataPlane, CancellationToken cancellationToken)
    {
        var devices = dataPlane.GetDevicesAsync(cancellationToken);
        var index = await dataPlane.GetRepositoryIndexAsync(readyOnly: false, cancellationToken);
        var models = await Task.WhenAll(index
            .GroupBy(e => e.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => SnapshotAsync(dataPlane, g.Key, [.. g], cancellationToken)));
        return (await devices, models);
    }

    private static async Task<ModelSnapshot> SnapshotAsync(IInferenceDataPlane dataPlane, string model, IReadOnlyList<RepositoryIndexEntry> versions, CancellationToken cancellationToken)
    {
        if (versions.All(v => v.Version.Length == 0))
        {
            return new ModelSnapshot(model, versions, null, [], null);
        }

        try
        {
            var traffic = dataPlane.GetTrafficAsync(model, cancellationToken);
            var instances = dataPlane.GetModelInstancesAsync(model, null, cancellationToken);
            await Task.WhenAll(traffic, instances);
            return new ModelSnapshot(model, versions, await traffic, await instances, null);
        }
        catch (Exception ex) when (ex is InferenceException || ClusterFailure.IsUnreachable(ex))
        {
            // One model that cannot answer (broken, or its grain's silo leaving) must not blank the whole page.
            return new ModelSnapshot(model, versions, null, [], ex.Message);
        }
    }
}
