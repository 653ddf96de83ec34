using System.Reflection;
using GrainServe.Contracts;
using GrainServe.Gpu;
using GrainServe.Models;

namespace GrainServe.Gateway.DataPlane;

/// <summary>The data plane over the Orleans cluster: each call goes to the model's grain.</summary>
internal sealed class ClusterDataPlane : IInferenceDataPlane
{
    private static readonly ServerMetadata Metadata = new(
        "grainserve",
        typeof(ClusterDataPlane).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
        []);

    private readonly IGrainFactory _grains;
    private readonly IStartupGate _startup;

    public ClusterDataPlane(IGrainFactory grains, IStartupGate startup)
    {
        _grains = grains;
        _startup = startup;
    }

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        if (!_startup.IsComplete)
        {
            return false;
        }

        var devices = await _grains.GetGrain<IDeviceDirectoryGrain>(0).GetDevices().WaitAsync(cancellationToken);
        return devices.Length > 0;
    }

    public ServerMetadata GetServerMetadata() => Metadata;

    public Task<ModelMetadata> GetModelMetadataAsync(string model, string? version, CancellationToken cancellationToken) =>
        _grains.GetGrain<IModelGrain>(model).GetMetadata(version).WaitAsync(cancellationToken);

    public async Task<bool> IsModelReadyAsync(string model, string? version, CancellationToken cancellationToken)
    {
        var metadata = await GetModelMetadataAsync(model, version, cancellationToken);
        return metadata.State == ModelReadyState.Ready;
    }

    public Task<InferenceResult> InferAsync(string model, InferenceRequest request, CancellationToken cancellationToken) =>
        _grains.GetGrain<IModelGrain>(model).Infer(request).WaitAsync(cancellationToken);
}
