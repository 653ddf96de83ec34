using System.Globalization;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gpu;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace GrainServe.Models;

/// <summary>
/// Places a model's versions on devices and routes its requests. Reentrant, because a request awaits its
/// instance for the length of a batch while others must be routed; the grain's state is only changed between
/// awaits, on the grain's turn, so counters and maps need no locks.
/// </summary>
[KeepAlive]
[Reentrant]
internal sealed partial class ModelGrain : Grain, IModelGrain
{
    private readonly ModelRepository _repository;
    private readonly ILogger<ModelGrain> _logger;
    private readonly Random _random = new();
    private readonly Dictionary<string, VersionState> _versions = new(StringComparer.Ordinal);
    private ModelDefinition? _definition;
    private Task<ModelVersionStatus[]>? _loading;
    private bool _adopted;

    public ModelGrain(ModelRepository repository, ILogger<ModelGrain> logger)
    {
        _repository = repository;
        _logger = logger;
    }

    private string Name => this.GetPrimaryKeyString();

    public async Task<InferenceResult> Infer(InferenceRequest request)
    {
        if (_loading is null || _definition is null)
        {
            try
            {
                await EnsureLoaded();
            }
            catch (InferenceException ex)
            {
                return InferenceResult.Failure(ex.Code, ex.Message);
            }
        }

        if (_definition is null)
        {
            return InferenceResult.Failure(InferenceErrorCode.ModelNotFound, $"model '{Name}' is not in the repository");
        }

        var (version, error) = SelectVersion(request.ModelVersion);
        if (error is not null)
        {
            return InferenceResult.Failure(error);
        }

        var (validated, invalid) = InferenceRequestValidator.Validate(Name, version!.Config!, request);
        if (invalid is not null)
        {
            return InferenceResult.Failure(invalid);
        }

        // An instance whose silo died fails the call; try the others before giving up.
        while (version.Instances.Count > 0)
        {
            var slot = version.Instances[InstanceRouter.PickLeastLoaded(version.Instances.Select(s => s.Pending).ToList(), _random)];
            slot.Pending++;
            try
            {
                var result = await slot.Device.Infer(slot.Info.InstanceId, validated!);
                if (result.Error is not { Code: InferenceErrorCode.ModelNotReady } || version.Instances.Count == 1)
                {
                    return result;
                }

                LogInstanceLost(_logger, Name, version.Version, slot.Info.DeviceKey, result.Error.Message);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException or SiloUnavailableException)
            {
                LogInstanceLost(_logger, Name, version.Version, slot.Info.DeviceKey, ex.Message);
            }
            finally
            {
                slot.Pending--;
            }

            version.Instances.Remove(slot);
        }

        version.State = ModelReadyState.Unavailable;
        version.Reason = $"model '{Name}' version {version.Version} lost its instances; it is being loaded again";
        _loading = null;
        _ = EnsureLoaded();
        return InferenceResult.Failure(InferenceErrorCode.ModelNotReady, version.Reason);
    }

    public async Task<ModelMetadata> GetMetadata(string? version)
    {
        await EnsureLoadedOnce();
        var definition = _definition ?? throw NotFound();
        var versions = definition.PolicyVersions().Select(Text).ToArray();
        var config = definition.Config;
        ModelReadyState state;
        string? reason;
        if (version is not null)
        {
            if (!IsKnownVersion(version))
            {
                throw new InferenceException(InferenceErrorCode.ModelNotFound, $"model '{Name}' has no version {version}");
            }

            _versions.TryGetValue(version, out var one);
            config = one?.Config ?? config;
            state = one?.State ?? ModelReadyState.Unavailable;
            reason = one?.Reason ?? (one is null ? $"version {version} is not served by the model's version policy" : null);
            versions = [version];
        }
        else
        {
            var ready = _versions.Values.Where(v => v.State == ModelReadyState.Ready).OrderByDescending(v => v.Number).FirstOrDefault();
            var any = ready ?? _versions.Values.OrderByDescending(v => v.Number).FirstOrDefault();
            config = any?.Config ?? config;
            state = ready is not null ? ModelReadyState.Ready : any?.State ?? ModelReadyState.Unavailable;
            reason = ready is not null ? null : any?.Reason ?? definition.ConfigError;
        }

        var batched = config.MaxBatchSize > 0;
        return new ModelMetadata(
            Name,
            versions,
            config.Platform ?? ModelConfigValidator.OnnxPlatform,
            config.Input.Select(t => Describe(t, batched)).ToArray(),
            config.Output.Select(t => Describe(t, batched)).ToArray(),
            state,
            reason);
    }

    public async Task<ModelVersionStatus[]> GetVersionStatus()
    {
        await EnsureLoadedOnce();
        _ = _definition ?? throw NotFound();
        return Statuses();
    }

    public Task<ModelVersionStatus[]> EnsureLoaded()
    {
        if (_loading is null || _loading.IsCompleted)
        {
            _loading = LoadAsync();
        }

        return _loading;
    }

    private Task EnsureLoadedOnce() => _loading ?? EnsureLoaded();

    private async Task<ModelVersionStatus[]> LoadAsync()
    {
        _definition = _repository.Find(Name);
        if (_definition is null)
        {
            // Names come from URLs: an activation per unknown name would pile up, so let this one go.
            DeactivateOnIdle();
            throw NotFound();
        }

        var policy = _definition.PolicyVersions();
        if (_definition.ConfigError is { } configError)
        {
            foreach (var number in policy.DefaultIfEmpty(0))
            {
                var broken = GetVersion(number);
                broken.State = ModelReadyState.Unavailable;
                broken.Reason = configError;
            }

            return Statuses();
        }

        var devices = await GrainFactory.GetGrain<IDeviceDirectoryGrain>(0).GetDevices();
        if (!_adopted)
        {
            // After a reactivation the devices may still hold this model's instances: take them over
            // rather than load duplicates.
            await AdoptInstances(devices);
            _adopted = true;
        }

        foreach (var number in policy)
        {
            var version = GetVersion(number);
            if (version.Instances.Count > 0)
            {
                continue;
            }

            version.State = ModelReadyState.Loading;
            await PlaceVersion(version, devices);
        }

        return Statuses();
    }

    private async Task PlaceVersion(VersionState version, DeviceInfo[] devices)
    {
        var groups = _definition!.Config.InstanceGroup;
        var wanted = Math.Max(1, groups.Sum(g => g.Count));
        var kind = groups.Select(g => g.Kind).FirstOrDefault(k => k is "KIND_GPU" or "KIND_CPU");
        var candidates = devices
            .Where(d => kind is null || (kind == "KIND_GPU") == (d.Kind == DeviceKind.Gpu))
            .OrderByDescending(d => d.AvailableBytes)
            .ToList();
        if (candidates.Count == 0)
        {
            SetUnavailable(version, devices.Length == 0
                ? "no device in the cluster yet; the model loads when a device silo joins"
                : $"no {(kind == "KIND_GPU" ? "GPU" : "CPU")} device in the cluster for instance_group kind {kind}");
            return;
        }

        var refusals = new List<string>();
        // One instance per device first; more than one per device only when the group asks for more instances than there are devices.
        for (var i = 0; version.Instances.Count < wanted && i < wanted * candidates.Count; i++)
        {
            var device = candidates[i % candidates.Count];
            var grain = GrainFactory.GetGrain<IGpuGrain>(device.Key);
            var result = await grain.LoadInstance(Name, version.Version);
            if (result.Instance is { } instance)
            {
                version.Config = result.Config;
                version.Instances.Add(new InstanceSlot(instance, grain));
                continue;
            }

            refusals.Add(result.Failure!);
            if (!result.DoesNotFit)
            {
                // The model itself is broken: no other device will load it either.
                SetUnavailable(version, result.Failure!);
                return;
            }
        }

        if (version.Instances.Count == 0)
        {
            SetUnavailable(version, $"no device has room: {string.Join("; ", refusals.Distinct())}");
            return;
        }

        version.State = ModelReadyState.Ready;
        version.Reason = null;
        LogVersionLoaded(_logger, Name, version.Version, version.Instances.Count);
    }

    private async Task AdoptInstances(DeviceInfo[] devices)
    {
        foreach (var device in devices.Where(d => d.InstanceCount > 0))
        {
            var grain = GrainFactory.GetGrain<IGpuGrain>(device.Key);
            foreach (var instance in await grain.GetInstances())
            {
                if (instance.ModelName != Name || !long.TryParse(instance.ModelVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    continue;
                }

                var version = GetVersion(number);
                version.Instances.Add(new InstanceSlot(instance, grain));
                version.State = ModelReadyState.Ready;
            }
        }

        // The effective config comes with a load; an adopted version without one reloads it on one device.
        foreach (var version in _versions.Values.Where(v => v.Config is null && v.Instances.Count > 0))
        {
            var slot = version.Instances[0];
            var reload = await slot.Device.LoadInstance(Name, version.Version);
            await slot.Device.UnloadInstance(slot.Info.InstanceId);
            version.Instances.RemoveAt(0);
            if (reload.Instance is not null)
            {
                version.Config = reload.Config;
                version.Instances.Add(new InstanceSlot(reload.Instance, slot.Device));
            }
        }
    }

    private (VersionState? Version, InferenceError? Error) SelectVersion(string? requested)
    {
        if (requested is not null)
        {
            if (!IsKnownVersion(requested))
            {
                return (null, new InferenceError(InferenceErrorCode.ModelNotFound, $"model '{Name}' has no version {requested}"));
            }

            if (!_versions.TryGetValue(requested, out var version))
            {
                return (null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{Name}' version {requested} is not served: the model's version policy does not name it"));
            }

            return version.State == ModelReadyState.Ready && version.Instances.Count > 0
                ? (version, null)
                : (null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{Name}' version {requested} is not ready: {version.Reason ?? version.State.ToString()}"));
        }

        var ready = _versions.Values
            .Where(v => v.State == ModelReadyState.Ready && v.Instances.Count > 0)
            .OrderByDescending(v => v.Number)
            .FirstOrDefault();
        if (ready is not null)
        {
            return (ready, null);
        }

        var reason = _versions.Values.Select(v => v.Reason).FirstOrDefault(r => r is not null) ?? "it is loading";
        return (null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{Name}' is not ready: {reason}"));
    }

    private bool IsKnownVersion(string version) =>
        long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && _definition!.Versions.Contains(number);

    private VersionState GetVersion(long number)
    {
        var text = Text(number);
        if (!_versions.TryGetValue(text, out var version))
        {
            version = new VersionState(number, text);
            _versions[text] = version;
        }

        return version;
    }

    private void SetUnavailable(VersionState version, string reason)
    {
        version.State = ModelReadyState.Unavailable;
        version.Reason = reason;
        LogVersionUnavailable(_logger, Name, version.Version, reason);
    }

    private ModelVersionStatus[] Statuses() =>
        _versions.Values
            .OrderByDescending(v => v.Number)
            .Select(v => new ModelVersionStatus(v.Version, v.State, v.Reason, v.Instances.Count))
            .ToArray();

    private InferenceException NotFound() => new(InferenceErrorCode.ModelNotFound, $"model '{Name}' is not in the repository");

    private static TensorMetadata Describe(ModelTensorConfig tensor, bool batched) => new(
        tensor.Name,
        TritonDatatype.ToProtocol(tensor.DataType) ?? tensor.DataType,
        batched ? [-1, .. tensor.Dims] : tensor.Dims);

    private static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = EventIds.ModelVersionLoaded, EventName = nameof(EventIds.ModelVersionLoaded), Level = LogLevel.Information,
        Message = "Model {ModelName} version {ModelVersion} is ready with {InstanceCount} instance(s)")]
    private static partial void LogVersionLoaded(ILogger logger, string modelName, string modelVersion, int instanceCount);

    [LoggerMessage(EventId = EventIds.ModelVersionUnavailable, EventName = nameof(EventIds.ModelVersionUnavailable), Level = LogLevel.Warning,
        Message = "Model {ModelName} version {ModelVersion} is unavailable: {Reason}")]
    private static partial void LogVersionUnavailable(ILogger logger, string modelName, string modelVersion, string reason);

    [LoggerMessage(EventId = EventIds.InstanceLost, EventName = nameof(EventIds.InstanceLost), Level = LogLevel.Warning,
        Message = "Model {ModelName} version {ModelVersion} lost its instance on {DeviceKey}: {Reason}")]
    private static partial void LogInstanceLost(ILogger logger, string modelName, string modelVersion, string deviceKey, string reason);

    private sealed class VersionState(long number, string version)
    {
        public long Number { get; } = number;

        public string Version { get; } = version;

        public ModelReadyState State { get; set; } = ModelReadyState.Unknown;

        public string? Reason { get; set; }

        // The effective config from the first load; every instance of a version loads the same files.
        public ModelConfig? Config { get; set; }

        public List<InstanceSlot> Instances { get; } = [];
    }

    private sealed class InstanceSlot(ModelInstanceInfo info, IGpuGrain device)
    {
        public ModelInstanceInfo Info { get; } = info;

        public IGpuGrain Device { get; } = device;

        // Requests this grain routed to the instance that have not been answered yet.
        public int Pending { get; set; }
    }
}
