using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.Auth;
using GrainServe.Gateway.Quotas;
using GrainServe.Generation;
using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.Routing;

namespace GrainServe.Gateway.DataPlane;

/// <summary>
/// The data plane over the Orleans cluster: requests go straight to GPU grains through the <see cref="ModelRouter"/>;
/// metadata, repository and statistics calls go to the model's grain, the control plane. Every request it routes is counted
/// in this gateway's <see cref="RequestWindows"/>, with its end-to-end duration and outcome, for the operator page.
/// </summary>
internal sealed class ClusterDataPlane : IInferenceDataPlane
{
    private static readonly ServerMetadata Metadata = new(
        "grainserve",
        typeof(ClusterDataPlane).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
        ["binary_tensor_data", "model_repository", "statistics", "model_configuration"]);

    private readonly IGrainFactory _grains;
    private readonly IStartupGate _startup;
    private readonly ModelRouter _router;
    private readonly RequestWindows _windows;

    private readonly QuotaGate? _quotas;
    private readonly IHttpContextAccessor? _http;

    public ClusterDataPlane(IGrainFactory grains, IStartupGate startup, ModelRouter router, RequestWindows windows, QuotaGate? quotas = null, IHttpContextAccessor? http = null)
    {
        _grains = grains;
        _startup = startup;
        _router = router;
        _windows = windows;
        // Both present only with API keys on.
        _quotas = quotas;
        _http = http;
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

    public async Task<InferenceResult> InferAsync(string model, InferenceRequest request, Func<string, string?>? header, CancellationToken cancellationToken) =>
        _quotas is not null && _http?.HttpContext is { } context && ApiKeyIdentity.Of(context) is { Quota.AudioSecondsPerMinute: not null } identity
            && await _router.IsSpeechModelAsync(model, cancellationToken)
            ? await AudioQuota.InferAsync(_quotas, identity, context, () => InferUncountedAsync(model, request, header, cancellationToken), cancellationToken)
            : await InferUncountedAsync(model, request, header, cancellationToken);

    private async Task<InferenceResult> InferUncountedAsync(string model, InferenceRequest request, Func<string, string?>? header, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        InferenceResult? result = null;
        try
        {
            result = await _router.InferAsync(model, request, header, cancellationToken);
            return result;
        }
        finally
        {
            // A result carries its version only on success; a failure is counted under the version the request named, if any.
            var outcome = result is null ? Unfinished(cancellationToken) : result.Error?.Code;
            _windows.Record(model, result?.Response?.ModelVersion ?? request.ModelVersion, Stopwatch.GetElapsedTime(started), outcome);
        }
    }

    // A request with tensor inputs streams from a speech model (a transcription, a synthesis), charged in audio seconds;
    // one with a prompt is a text generation, charged in tokens.
    public IAsyncEnumerable<GenerateChunk> GenerateAsync(string model, GenerateRequest request, Func<string, string?>? header, CancellationToken cancellationToken) =>
        _quotas is null || _http?.HttpContext is not { } context || ApiKeyIdentity.Of(context) is not { } identity
            ? GenerateUncountedAsync(model, request, header, cancellationToken)
            : request.Inputs is null && identity.Quota?.TokensPerMinute is not null
                ? TokenQuota.GenerateAsync(_quotas, identity, context, request, GenerateUncountedAsync(model, request, header, cancellationToken), cancellationToken)
                : request.Inputs is not null && identity.Quota?.AudioSecondsPerMinute is not null
                    ? AudioQuota.GenerateAsync(_quotas, identity, context, GenerateUncountedAsync(model, request, header, cancellationToken), cancellationToken)
                    : GenerateUncountedAsync(model, request, header, cancellationToken);

    private async IAsyncEnumerable<GenerateChunk> GenerateUncountedAsync(string model, GenerateRequest request, Func<string, string?>? header, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var version = request.ModelVersion;
        InferenceErrorCode? error = null;
        var ended = false;
        try
        {
            await foreach (var chunk in _router.GenerateAsync(model, request, header, cancellationToken))
            {
                version = chunk.ModelVersion is { Length: > 0 } served ? served : version;
                error ??= chunk.Error?.Code;
                yield return chunk;
            }

            ended = true;
        }
        finally
        {
            // A stream that stopped before its end (its reader left, or the call threw) counts as an error.
            _windows.Record(model, version, Stopwatch.GetElapsedTime(started), error ?? (ended ? null : Unfinished(cancellationToken)));
        }
    }

    public Task<TrafficStatus> GetTrafficAsync(string model, CancellationToken cancellationToken) =>
        _grains.GetGrain<IModelGrain>(model).GetTraffic().WaitAsync(cancellationToken);

    public async Task<TrafficStatus> SetTrafficAsync(string model, Dictionary<string, int> weights, CancellationToken cancellationToken)
    {
        var status = await _grains.GetGrain<IModelGrain>(model).SetTraffic(weights).WaitAsync(cancellationToken);

        // This gateway routes by the new weights from its next request; the others within a refresh period.
        await _router.RefreshAsync(model, cancellationToken);
        return status;
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
        await _router.RefreshAsync(model, cancellationToken);
        if (!statuses.Any(s => s.State == ModelReadyState.Ready))
        {
            var reasons = string.Join("; ", statuses.Select(s => s.Reason).Where(r => r is not null).Distinct());
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"failed to load '{model}': {(reasons.Length > 0 ? reasons : "no version to load")}");
        }
    }

    public async Task UnloadModelAsync(string model, CancellationToken cancellationToken)
    {
        await _grains.GetGrain<IModelGrain>(model).Unload().WaitAsync(cancellationToken);
        await _router.RefreshAsync(model, cancellationToken);
    }

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

    public async Task<IReadOnlyList<ModelInstanceStatus>> GetModelInstancesAsync(string model, string? version, CancellationToken cancellationToken) =>
        await _grains.GetGrain<IModelGrain>(model).GetInstances(version).WaitAsync(cancellationToken);

    public Task<IReadOnlyList<DeviceInfo>> GetDevicesAsync(CancellationToken cancellationToken) => ClusterDevices.ListAsync(_grains, cancellationToken);

    // A request that ended in an exception rather than a result: the client's cancellation, or the server's failure.
    private static InferenceErrorCode Unfinished(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? InferenceErrorCode.Cancelled : InferenceErrorCode.Internal;

    // Triton's spelling of model states in the repository index.
    private static string StateText(ModelReadyState state) => state == ModelReadyState.Unknown ? "" : state.ToString().ToUpperInvariant();
}
