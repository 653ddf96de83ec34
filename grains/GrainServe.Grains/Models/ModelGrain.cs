using System.Globalization;
using System.Text.Json;
using GrainServe.Errors;
using GrainServe.Gpu;
using GrainServe.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace GrainServe.Models;

/// <summary>
/// The control plane of one model: places its versions on devices, hands gateways the routing table they send requests
/// by, and scales by the load they report. No request passes through it. Reentrant, because a load or a placement awaits
/// devices for seconds while gateways keep asking for the table; the grain's state is only changed between awaits, on
/// the grain's turn, so counters and maps need no locks.
/// </summary>
[KeepAlive]
[Reentrant]
internal sealed partial class ModelGrain : Grain, IModelGrain
{
    private const string UnloadedReason = "unloaded";

    // How often a request for a model that failed to place may trigger another attempt.
    private static readonly TimeSpan RetryLoadInterval = TimeSpan.FromSeconds(1);

    // How long after one scale-out the next may start: time for the new instance to take load.
    private static readonly TimeSpan ScaleOutInterval = TimeSpan.FromSeconds(2);

    private readonly ModelRepository _repository;
    private readonly ModelPlacer _placer;
    private readonly ILogger<ModelGrain> _logger;
    private readonly Dictionary<string, ModelVersionState> _versions = new(StringComparer.Ordinal);
    private readonly GatewayLoad _load = new();
    private readonly IPersistentState<TrafficState> _trafficState;
    private readonly TimeProvider _time;

    // Loads and unloads of the whole model run one at a time. The grain is reentrant, and a load that cleared the
    // versions while another load's placement was under way lost track of the instances that one placed: they stayed
    // loaded on their device, counted there and listed by no model (the gateway's fuzz tests send loads with and
    // without a config and unloads at once). A request's EnsureLoaded still joins a load under way without waiting.
    private readonly SemaphoreSlim _control = new(1, 1);
    private ModelDefinition? _definition;
    private ModelConfig? _configOverride;
    private Task<ModelVersionStatus[]>? _loading;
    private bool _unloaded;
    private Task? _scalingOut;
    private DateTimeOffset _lastLoadFinished = DateTimeOffset.MinValue;
    private DateTimeOffset _lastScaleOut = DateTimeOffset.MinValue;

    public ModelGrain(
        ModelRepository repository,
        [PersistentState("traffic", GrainStorage.Name)] IPersistentState<TrafficState> trafficState,
        TimeProvider time,
        ILogger<ModelGrain> logger)
    {
        _repository = repository;
        _trafficState = trafficState;
        _time = time;
        _logger = logger;
        _placer = new ModelPlacer(this);
    }

    private string Name => this.GetPrimaryKeyString();

    // When the version's instances have a backlog (on average two full batches waiting, or four requests without
    // batching, by the gateways' reports) and some device in the cluster holds none, one more instance is placed there,
    // in the background: a device silo that joined later takes a share as load grows. instance_group.count stays the
    // number placed at load. A model with an autoscaling block is scaled by its autoscalers instead.
    private void MaybeScaleOut(ModelVersionState version)
    {
        var now = _time.GetUtcNow();
        // A generation instance's backlog is its engine's waiting sequences, not a request count: it is not scaled by this.
        if (_scalingOut is { IsCompleted: false } || version.Instances.Count == 0 || now - _lastScaleOut < ScaleOutInterval
            || version.Config is null || ModelKinds.Of(version.Config) == ModelKinds.TextGeneration || _definition?.Config.Autoscaling is not null)
        {
            return;
        }

        var backlog = 2 * Math.Max(2, version.Config?.MaxBatchSize ?? 0);
        if (_load.Ongoing(version.Version, now) < backlog * version.Instances.Count)
        {
            return;
        }

        _lastScaleOut = now;
        _scalingOut = ScaleOutAsync(version);
    }

    private async Task ScaleOutAsync(ModelVersionState version)
    {
        try
        {
            var devices = await GetDevicesAsync();
            if (await _placer.ScaleOut(version, devices))
            {
                LogScaledOut(_logger, Name, version.Version, version.Instances.Count);
            }
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            LogInstanceLost(_logger, Name, version.Version, "directory", ex.Message);
        }
    }

    public async Task ForgetDevice(string deviceKey)
    {
        var orphaned = false;
        foreach (var version in _versions.Values)
        {
            orphaned |= version.Instances.RemoveAll(s => s.Info.DeviceKey == deviceKey) > 0 && version.Instances.Count == 0;
        }

        if (orphaned && !_unloaded)
        {
            await EnsureLoaded();
        }
    }

    public async Task<ModelMetadata> GetMetadata(string? version)
    {
        await EnsureLoadedOnce();
        var definition = _definition ?? throw NotFound();
        var versions = ServedVersions().Select(Text).ToArray();
        ModelVersionState? chosen;
        if (version is not null)
        {
            ThrowIfUnknownVersion(version);

            chosen = _versions.GetValueOrDefault(version);
            versions = [version];
        }
        else
        {
            chosen = NewestReady() ?? _versions.Values.OrderByDescending(v => v.Number).FirstOrDefault();
        }

        var config = chosen?.Config ?? definition.Config;
        var state = chosen?.State ?? ModelReadyState.Unavailable;
        var reason = state == ModelReadyState.Ready ? null
            : chosen?.Reason ?? definition.ConfigError ?? $"version {version} is not served by the model's version policy";
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

    public Task<ModelVersionStatus[]> GetVersionStatus()
    {
        _ = _definition ?? _repository.Find(Name) ?? throw NotFound();
        return Task.FromResult(Statuses());
    }

    public async Task<ModelVersionStatus[]> EnsureLoaded()
    {
        if (_loading is { IsCompleted: false } loading)
        {
            return await loading;
        }

        await _control.WaitAsync();
        try
        {
            return await StartOrJoinLoad();
        }
        finally
        {
            _control.Release();
        }
    }

    private Task<ModelVersionStatus[]> StartOrJoinLoad()
    {
        if (_loading is null || _loading.IsCompleted)
        {
            _unloaded = false;
            _loading = LoadAsync();
        }

        return _loading;
    }

    public async Task<ModelVersionStatus[]> Load(string? configJson)
    {
        ModelConfig? config = null;
        if (configJson is not null)
        {
            try
            {
                config = ModelConfigJson.Parse(configJson);
            }
            catch (JsonException ex)
            {
                throw new InferenceException(InferenceErrorCode.InvalidInput, $"the config for model '{Name}' is not a valid model configuration: {ex.Message}");
            }
        }

        _ = _repository.Find(Name) ?? throw NotFound();
        await _control.WaitAsync();
        try
        {
            await UnloadCoreAsync();
            _configOverride = config;
            _versions.Clear();
            return await StartOrJoinLoad();
        }
        finally
        {
            _control.Release();
        }
    }

    public async Task Unload()
    {
        await _control.WaitAsync();
        try
        {
            await UnloadCoreAsync();
        }
        finally
        {
            _control.Release();
        }
    }

    private async Task UnloadCoreAsync()
    {
        _definition ??= _repository.Find(Name, _configOverride) ?? throw NotFound();
        _unloaded = true;
        if (_loading is { IsCompleted: false } loading)
        {
            // Let a load in progress finish placing, so that no instance it creates is left behind.
            await loading.ContinueWith(_ => { }, TaskScheduler.Current);
        }

        await StopScalingAsync();
        // A snapshot: the grain is reentrant, and a load interleaved at one of the awaits below clears and refills _versions.
        foreach (var version in _versions.Values.ToArray())
        {
            foreach (var slot in version.Instances.ToArray())
            {
                try
                {
                    await slot.Device.UnloadInstance(slot.Info.InstanceId);
                }
                catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
                {
                    // A device that is gone holds nothing any more.
                    LogInstanceLost(_logger, Name, version.Version, slot.Info.DeviceKey, ex.Message);
                }
            }

            version.Instances.Clear();
            version.State = ModelReadyState.Unavailable;
            version.Reason = UnloadedReason;
        }

        LogModelUnloaded(_logger, Name);
    }

    public async Task<ModelConfig> GetConfig(string? version)
    {
        await EnsureLoadedOnce();
        var definition = _definition ?? throw NotFound();
        if (version is not null)
        {
            ThrowIfUnknownVersion(version);
        }

        var chosen = version is not null ? _versions.GetValueOrDefault(version) : NewestReady();
        return chosen?.Config ?? _versions.Values.Select(v => v.Config).FirstOrDefault(c => c is not null) ?? definition.Config;
    }

    public async Task<ModelStatistics[]> GetStatistics(string? version)
    {
        // Statistics never trigger a load: a model nobody loaded has none.
        _definition ??= _repository.Find(Name, _configOverride) ?? throw NotFound();
        if (version is not null)
        {
            ThrowIfUnknownVersion(version);
        }

        var result = new List<ModelStatistics>();
        foreach (var state in _versions.Values.Where(v => version is null || v.Version == version).OrderByDescending(v => v.Number))
        {
            var total = new ModelStatistics { Name = Name, Version = state.Version };
            foreach (var slot in state.Instances.ToArray())
            {
                if (await slot.Device.GetStatistics(slot.Info.InstanceId) is { } instance)
                {
                    total = total.Add(instance);
                }
            }

            result.Add(total);
        }

        return [.. result];
    }

    // The directory's silo may be leaving (a graceful stop deactivates it): its calls fail until the directory is
    // active again elsewhere, so they are retried for a few seconds.
    private async Task<DeviceInfo[]> GetDevicesAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await GrainFactory.GetGrain<IDeviceDirectoryGrain>(0).GetDevices();
            }
            catch (Exception ex) when (attempt < 30 && ClusterFailure.IsUndelivered(ex))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private async Task TryLoadAgainAsync()
    {
        try
        {
            await EnsureLoaded();
        }
        catch (Exception ex) when (ex is InferenceException || ClusterFailure.IsUnreachable(ex))
        {
            // The request answers with the version's reason below.
        }
    }

    private Task EnsureLoadedOnce() => _loading is not null || _unloaded ? Task.CompletedTask : EnsureLoaded();

    private async Task<ModelVersionStatus[]> LoadAsync()
    {
        _definition = _repository.Find(Name, _configOverride);
        if (_definition is null)
        {
            throw NotFound();
        }

        var policy = ServedVersions();
        if (_definition.ConfigError is { } configError)
        {
            foreach (var number in policy.DefaultIfEmpty(0))
            {
                SetUnavailable(GetVersion(number), configError);
            }

            return Statuses();
        }

        var devices = await GetDevicesAsync();
        for (var wait = 0; devices.Length == 0 && wait < 15; wait++)
        {
            // An empty directory is usually one being rebuilt after its silo left (devices re-register every 2 s and
            // on every membership change), or a device silo about to join: wait briefly rather than fail every request.
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            devices = await GetDevicesAsync();
        }

        await _placer.AdoptOnce(devices);
        foreach (var number in policy)
        {
            var version = GetVersion(number);
            if (version.Instances.Count > 0 || IsScaledToZero(version))
            {
                // A version scaled to zero stays there until a request comes.
                continue;
            }

            version.State = ModelReadyState.Loading;
            if (await _placer.Place(version, devices) is { } failure)
            {
                SetUnavailable(version, failure);
                continue;
            }

            version.State = ModelReadyState.Ready;
            version.Reason = null;
            LogVersionLoaded(_logger, Name, version.Version, version.Instances.Count);
        }

        _lastLoadFinished = DateTimeOffset.UtcNow;
        StartScaling();
        return Statuses();
    }

    private ModelVersionState? NewestReady() =>
        _versions.Values.Where(v => v.State == ModelReadyState.Ready && v.Instances.Count > 0 && v.Config is not null).OrderByDescending(v => v.Number).FirstOrDefault();

    private InferenceError UnknownVersion(string version) => new(InferenceErrorCode.ModelNotFound, $"model '{Name}' has no version {version}");

    private void ThrowIfUnknownVersion(string version)
    {
        if (!IsKnownVersion(version))
        {
            throw new InferenceException(UnknownVersion(version));
        }
    }

    private bool IsKnownVersion(string version) =>
        long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && _definition!.Versions.Contains(number);

    internal ModelVersionState GetVersion(long number)
    {
        var text = Text(number);
        if (!_versions.TryGetValue(text, out var version))
        {
            version = new ModelVersionState(number, text);
            _versions[text] = version;
        }

        return version;
    }

    internal ModelConfig? ConfigOverride => _configOverride;

    internal ModelDefinition Definition => _definition!;

    internal IGrainFactory Grains => GrainFactory;

    internal string ModelName => Name;

    private void SetUnavailable(ModelVersionState version, string reason)
    {
        version.State = ModelReadyState.Unavailable;
        version.Reason = reason;
        LogVersionUnavailable(_logger, Name, version.Version, reason);
    }

    private ModelVersionStatus[] Statuses() => _versions.Values.OrderByDescending(v => v.Number).Select(v => v.ToStatus()).ToArray();

    private InferenceException NotFound()
    {
        if (_versions.Count == 0)
        {
            // Names come from URLs: an activation per unknown name would pile up, so let this one go.
            DeactivateOnIdle();
        }

        return new InferenceException(InferenceErrorCode.ModelNotFound, $"model '{Name}' is not in the repository");
    }

    private static TensorMetadata Describe(ModelTensorConfig tensor, bool batched) => new(
        tensor.Name,
        TritonDatatype.ToProtocol(tensor.DataType) ?? tensor.DataType,
        batched ? [-1, .. tensor.Dims] : tensor.Dims);

    private static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);
}
