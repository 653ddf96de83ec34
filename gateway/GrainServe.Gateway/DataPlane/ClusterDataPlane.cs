using System.Reflection;
using System.Runtime.CompilerServices;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Gpu;
using GrainServe.Models;

namespace GrainServe.Gateway.DataPlane;

/// <summary>The data plane over the Orleans cluster: each call goes to the model's grain.</summary>
internal sealed class ClusterDataPlane : IInferenceDataPlane
{
    private static readonly ServerMetadata Metadata = new(
        "grainserve",
        typeof(ClusterDataPlane).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
        ["binary_tensor_data", "model_repository", "statistics", "model_configuration"]);

    // Longer than failure detection (about 3 s), shorter than a client's patience.
    private static readonly TimeSpan RetryDeadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(100);

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

    public async Task<InferenceResult> InferAsync(string model, InferenceRequest request, CancellationToken cancellationToken)
    {
        // If the silo holding the model grain dies mid-call, the grain activates again on a live silo once the dead
        // one is out of the membership table (a few seconds): inference is idempotent, so the request is sent again,
        // with a short backoff, until RetryDeadline; only then is the client told to retry.
        var deadline = DateTime.UtcNow + RetryDeadline;
        while (true)
        {
            try
            {
                // The token travels with the call, so a client that goes away takes its request out of the queue.
                return await _grains.GetGrain<IModelGrain>(model).Infer(request, cancellationToken).WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ClusterFailure.IsUndelivered(ex))
            {
                if (DateTime.UtcNow > deadline)
                {
                    return InferenceResult.Failure(InferenceErrorCode.ModelNotReady, $"model '{model}': the cluster lost the request's silo ({ex.GetType().Name}); retry");
                }

                await Task.Delay(RetryBackoff, cancellationToken);
            }
        }
    }

    public async IAsyncEnumerable<GenerateChunk> GenerateAsync(string model, GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // As for InferAsync: a model grain lost with its silo is called again until it is active elsewhere, but only while
        // nothing has been streamed; after that the client is told to retry.
        var deadline = DateTime.UtcNow + RetryDeadline;
        var streamed = false;
        while (true)
        {
            var enumerator = _grains.GetGrain<IModelGrain>(model).Generate(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var lost = false;
            try
            {
                while (true)
                {
                    GenerateChunk chunk;
                    try
                    {
                        if (!await enumerator.MoveNextAsync())
                        {
                            yield break;
                        }

                        chunk = enumerator.Current;
                    }
                    catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
                    {
                        if (streamed || !ClusterFailure.IsUndelivered(ex) || DateTime.UtcNow > deadline)
                        {
                            chunk = GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{model}': the cluster lost the request's silo ({ex.GetType().Name}); retry");
                        }
                        else
                        {
                            lost = true;
                            break;
                        }
                    }

                    streamed = true;
                    yield return chunk;
                    if (chunk.Error is not null)
                    {
                        yield break;
                    }
                }
            }
            finally
            {
                try
                {
                    await enumerator.DisposeAsync();
                }
                catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
                {
                    // The grain's silo is gone and its enumeration with it.
                }
            }

            if (lost)
            {
                await Task.Delay(RetryBackoff, cancellationToken);
            }
        }
    }

    public async Task<IReadOnlyList<RepositoryIndexEntry>> GetRepositoryIndexAsync(bool readyOnly, CancellationToken cancellationToken)
    {
        var entries = new List<RepositoryIndexEntry>();
        foreach (var model in await _grains.GetGrain<IModelRepositoryGrain>(0).ListModels().WaitAsync(cancellationToken))
        {
            var statuses = await _grains.GetGrain<IModelGrain>(model).GetVersionStatus().WaitAsync(cancellationToken);
            if (statuses.Length == 0 && !readyOnly)
            {
                entries.Add(new RepositoryIndexEntry(model, "", "", ""));
            }

            foreach (var status in statuses.Where(s => !readyOnly || s.State == ModelReadyState.Ready))
            {
                entries.Add(new RepositoryIndexEntry(model, status.Version, StateText(status.State), status.Reason ?? ""));
            }
        }

        return entries;
    }

    public async Task LoadModelAsync(string model, string? configJson, CancellationToken cancellationToken)
    {
        var statuses = await _grains.GetGrain<IModelGrain>(model).Load(configJson).WaitAsync(cancellationToken);
        if (!statuses.Any(s => s.State == ModelReadyState.Ready))
        {
            var reasons = string.Join("; ", statuses.Select(s => s.Reason).Where(r => r is not null).Distinct());
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"failed to load '{model}': {(reasons.Length > 0 ? reasons : "no version to load")}");
        }
    }

    public Task UnloadModelAsync(string model, CancellationToken cancellationToken) =>
        _grains.GetGrain<IModelGrain>(model).Unload().WaitAsync(cancellationToken);

    public async Task<IReadOnlyList<ModelStatistics>> GetStatisticsAsync(string? model, string? version, CancellationToken cancellationToken)
    {
        if (model is not null)
        {
            return await _grains.GetGrain<IModelGrain>(model).GetStatistics(version).WaitAsync(cancellationToken);
        }

        var all = new List<ModelStatistics>();
        foreach (var name in await _grains.GetGrain<IModelRepositoryGrain>(0).ListModels().WaitAsync(cancellationToken))
        {
            all.AddRange(await _grains.GetGrain<IModelGrain>(name).GetStatistics(null).WaitAsync(cancellationToken));
        }

        return all;
    }

    public Task<ModelConfig> GetModelConfigAsync(string model, string? version, CancellationToken cancellationToken) =>
        _grains.GetGrain<IModelGrain>(model).GetConfig(version).WaitAsync(cancellationToken);

    public Task<IReadOnlyList<DeviceInfo>> GetDevicesAsync(CancellationToken cancellationToken) => ClusterDevices.ListAsync(_grains, cancellationToken);

    // Triton's spelling of model states in the repository index.
    private static string StateText(ModelReadyState state) => state == ModelReadyState.Unknown ? "" : state.ToString().ToUpperInvariant();
}
