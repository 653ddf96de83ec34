using System.Globalization;
using System.Runtime.CompilerServices;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Monitoring;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;

namespace GrainServe.Gpu;

/// <summary>
/// Drives one device: loads model instances within the device's memory budget and hands requests to each
/// instance's scheduler (a batch queue, or the generation engine), which the model kind's provider creates. Reentrant, because a request awaits its batch for milliseconds while others
/// must keep arriving; the grain's own state is only touched between awaits, on the grain's turn. A load that does not
/// fit evicts idle instances of other models first (see GpuGrain.Eviction.cs).
/// </summary>
[DevicePlacement]
[Immovable]
[KeepAlive]
[Reentrant]
internal sealed partial class GpuGrain : Grain, IGpuGrain
{
    // Short, because a new activation of the directory (its silo left) knows only the devices that registered since.
    private static readonly TimeSpan RegistrationPeriod = TimeSpan.FromSeconds(2);

    private readonly LocalDeviceCatalog _catalog;
    private readonly ModelRepository _repository;
    private readonly Dictionary<string, IModelRunnerProvider> _providers;
    private readonly IGpuInfoProvider _gpus;
    private readonly TimeProvider _time;
    private readonly ILogger<GpuGrain> _logger;
    private readonly InferenceMetrics _metrics;
    private readonly TimeSpan _evictionMinAge;
    private readonly Dictionary<string, DeviceInstance> _instances = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gpuLoads = new(1, 1);
    private readonly LocalInstances _local;
    private LocalDevice _device = null!;
    private long _usedBytes;
    private bool _draining;
    private int _nextInstance;

    public GpuGrain(LocalDeviceCatalog catalog, ModelRepository repository, IEnumerable<IModelRunnerProvider> providers, IGpuInfoProvider gpus, TimeProvider time, IOptions<DeviceOptions> options, InferenceMetrics metrics, LocalInstances local, ILogger<GpuGrain> logger)
    {
        _metrics = metrics;
        _local = local;
        _catalog = catalog;
        _repository = repository;
        _providers = providers.SelectMany(p => p.Kinds.Select(k => (Kind: k, Provider: p))).ToDictionary(e => e.Kind, e => e.Provider, StringComparer.Ordinal);
        _gpus = gpus;
        _time = time;
        _logger = logger;
        _evictionMinAge = options.Value.EvictionMinAge;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        if (!DeviceKey.TryParse(key, out var siloName, out var deviceId) || siloName != _catalog.SiloName || _catalog.Find(deviceId) is not { } device)
        {
            // Placement pins the grain to its silo; reaching here means the key names a device this silo lacks.
            throw new InvalidOperationException($"GPU grain '{key}' activated on silo '{_catalog.SiloName}', which has no such device; its devices are {string.Join(", ", _catalog.Devices.Select(d => d.DeviceId))}.");
        }

        _device = device;
        this.RegisterGrainTimer(RegisterAsync, TimeSpan.Zero, RegistrationPeriod);
        await RegisterAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        foreach (var id in _instances.Keys.ToList())
        {
            await UnloadInstance(id);
        }
    }

    public Task<DeviceInfo> GetInfo() => Task.FromResult(Describe());

    public Task Ping() => Task.CompletedTask;

    public async Task<LoadResult> LoadInstance(string modelName, string modelVersion, ModelConfig? configOverride)
    {
        var result = await LoadAsync(modelName, modelVersion, configOverride);
        GrainServeMetrics.RecordPlacement(modelName, modelVersion, this.GetPrimaryKeyString(), result.Instance is not null ? "loaded" : result.DoesNotFit ? "no_room" : "failed");
        return result;
    }

    private async Task<LoadResult> LoadAsync(string modelName, string modelVersion, ModelConfig? configOverride)
    {
        var model = _repository.Find(modelName, configOverride);
        if (model is null)
        {
            return LoadResult.Failed($"model '{modelName}' is not in the repository");
        }

        if (model.ConfigError is { } configError)
        {
            return LoadResult.Failed(configError);
        }

        if (!long.TryParse(modelVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || !model.Versions.Contains(version))
        {
            return LoadResult.Failed($"model '{modelName}' has no version {modelVersion} in the repository");
        }

        if (_draining)
        {
            return LoadResult.NoRoom($"device {_device.DeviceId} of silo {_catalog.SiloName} is draining for shutdown");
        }

        var kind = ModelKinds.Of(model.Config);
        if (!_providers.TryGetValue(kind, out var provider))
        {
            return LoadResult.Failed($"model '{modelName}' has model_kind '{kind}', which this server does not serve; use one of {string.Join(", ", _providers.Keys.Order())}");
        }

        // The provider's estimate is what a CPU device is charged, and the admission check on a GPU, where the
        // real figure is measured from NVML around the load.
        long estimate;
        try
        {
            estimate = provider.EstimateBytes(model, version);
        }
        catch (Exception ex) when (ex is ModelLoadException or IOException)
        {
            return LoadResult.Failed(ex.Message);
        }

        var crowded = estimate > _device.BudgetBytes - _usedBytes ? await MakeRoomAsync(modelName, modelVersion, estimate) : null;
        if (crowded is null && estimate > _device.BudgetBytes - _usedBytes)
        {
            // Another request's turn ran between the room being made and this one resuming, and loaded into it.
            crowded = "another load took the room made for it";
        }

        if (crowded is not null)
        {
            var available = _device.BudgetBytes - _usedBytes;
            var reason = $"device {_device.DeviceId} of silo {_catalog.SiloName} has {available >> 20} MiB of its {_device.BudgetBytes >> 20} MiB budget free, and model '{modelName}' version {modelVersion} needs {estimate >> 20} MiB; no eviction makes room: {crowded}";
            LogInstanceRefused(_logger, modelName, modelVersion, this.GetPrimaryKeyString(), reason);
            return LoadResult.NoRoom(reason, estimate);
        }

        if (_draining)
        {
            // The drain began while instances were being evicted.
            return LoadResult.NoRoom($"device {_device.DeviceId} of silo {_catalog.SiloName} is draining for shutdown");
        }

        // Reserve before awaiting so that concurrent loads cannot overcommit the budget.
        _usedBytes += estimate;

        // On a GPU the charge is NVML's free memory before and after the load, so loads on one GPU run one at a time:
        // two at once would each see the other's memory. (On a CPU device the estimate is the charge; no need to wait.)
        var measuring = _device.Kind == DeviceKind.Gpu;
        if (measuring)
        {
            await _gpuLoads.WaitAsync();
        }

        long? freeBefore = null;
        IInstanceScheduler scheduler;
        try
        {
            freeBefore = FreeGpuBytes();

            // Session creation blocks for as long as the model takes to load; keep it off the grain's turn.
            scheduler = await Task.Run(() => provider.Create(model, version, _device));
            await WarmUpAsync(scheduler, model, version);
        }
        catch (Exception ex)
        {
            if (measuring)
            {
                _gpuLoads.Release();
            }

            _usedBytes -= estimate;
            var reason = ex is ModelLoadException ? ex.Message : $"model '{modelName}' version {modelVersion} failed to load: {ex.Message}";
            LogInstanceRefused(_logger, modelName, modelVersion, this.GetPrimaryKeyString(), reason);
            return LoadResult.Failed(reason);
        }

        // Read after the warm-up: the first runs' allocations are the instance's too.
        var measured = freeBefore is { } before && FreeGpuBytes() is { } after && before > after ? before - after : estimate;
        if (measuring)
        {
            _gpuLoads.Release();
        }

        _usedBytes += measured - estimate;
        var id = $"{modelName}/{modelVersion}/{_nextInstance++}";
        var info = new ModelInstanceInfo
        {
            InstanceId = id,
            ModelName = modelName,
            ModelVersion = modelVersion,
            DeviceKey = this.GetPrimaryKeyString(),
            MemoryBytes = measured,
        };
        var instance = new DeviceInstance(info, scheduler, _time.GetUtcNow(), _metrics.Register(modelName, modelVersion, info.DeviceKey, scheduler), _time);
        _instances[id] = instance;
        _local.Add(instance);
        LogInstanceLoaded(_logger, modelName, modelVersion, info.DeviceKey, measured);
        await RegisterAsync();
        return LoadResult.Loaded(info, scheduler.Config);
    }

    // Runs the config's model_warmup samples; a failing one fails the load, and the instance is disposed.
    private async Task WarmUpAsync(IInstanceScheduler scheduler, ModelDefinition model, long version)
    {
        if (scheduler.Config.ModelWarmup.Count == 0)
        {
            return;
        }

        var started = _time.GetTimestamp();
        try
        {
            var runs = await ModelWarmup.RunAsync(scheduler, model.Name, version, model.Directory, CancellationToken.None);
            LogInstanceWarmedUp(_logger, model.Name, version.ToString(CultureInfo.InvariantCulture), this.GetPrimaryKeyString(), runs, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch
        {
            await scheduler.DisposeAsync();
            throw;
        }
    }

    public async Task UnloadInstance(string instanceId)
    {
        if (!_instances.Remove(instanceId, out var instance))
        {
            return;
        }

        // Out of the local registry first, so that no request starts on it while it stops.
        _local.Remove(instance.Info.DeviceKey, instanceId);
        _usedBytes -= instance.Info.MemoryBytes;
        await instance.Scheduler.DisposeAsync();
        instance.Metrics.Dispose();
        LogInstanceUnloaded(_logger, instance.Info.ModelName, instance.Info.ModelVersion, instance.Info.DeviceKey);
        await RegisterAsync();
    }

    public Task<ModelStatistics?> GetStatistics(string instanceId) =>
        Task.FromResult(_instances.TryGetValue(instanceId, out var instance) ? instance.Scheduler.Statistics.Snapshot() : null);

    public async Task Drain(TimeSpan timeout)
    {
        _draining = true;
        await RegisterAsync();
        var key = this.GetPrimaryKeyString();
        foreach (var model in _instances.Values.Select(i => i.Info.ModelName).Distinct().ToList())
        {
            await GrainFactory.GetGrain<IModelGrain>(model).ForgetDevice(key);
        }

        // Requests routed here before the model grains forgot this device are still answered here.
        var deadline = _time.GetUtcNow() + timeout;
        while (_instances.Values.Any(i => i.Scheduler.Pending > 0) && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time);
        }
    }

    public Task<ModelInstanceInfo[]> GetInstances() => Task.FromResult(_instances.Values.Select(i => i.Info with { Pending = i.Scheduler.Pending }).ToArray());

    public Task<ModelConfig?> GetInstanceConfig(string instanceId) =>
        Task.FromResult(_instances.TryGetValue(instanceId, out var instance) ? instance.Scheduler.Config : null);

    public async Task<InferenceResult> Infer(string instanceId, InferenceRequest request, CancellationToken cancellationToken = default)
    {
        if (!_instances.TryGetValue(instanceId, out var instance))
        {
            // Unloaded, evicted, or never here: the router fails over and asks the model grain to place it again.
            return InferenceResult.Failure(InferenceErrorCode.ModelNotReady, $"instance '{instanceId}' is not loaded on device '{this.GetPrimaryKeyString()}'; retry");
        }

        return await instance.InferAsync(request, cancellationToken);
    }

    public async IAsyncEnumerable<GenerateChunk> Generate(string instanceId, GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!_instances.TryGetValue(instanceId, out var instance))
        {
            yield return GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"instance '{instanceId}' is not loaded on device '{this.GetPrimaryKeyString()}'; retry");
            yield break;
        }

        instance.Begin();
        try
        {
            await foreach (var chunk in instance.Scheduler.Generate(request, cancellationToken))
            {
                yield return chunk;
            }
        }
        finally
        {
            instance.End();
        }
    }

    private DeviceInfo Describe()
    {
        var gpu = _device.Kind == DeviceKind.Gpu ? _gpus.GetGpu(_device.Index) : null;
        return new DeviceInfo
        {
            Key = this.GetPrimaryKeyString(),
            Kind = _device.Kind,
            Name = _device.Name,
            Uuid = _device.Uuid,
            TotalMemoryBytes = _device.TotalMemoryBytes,
            BudgetBytes = _device.BudgetBytes,
            UsedBytes = _usedBytes,
            FreeMemoryBytes = gpu?.FreeMemoryBytes ?? Math.Max(0, _device.BudgetBytes - _usedBytes),
            UtilizationPercent = gpu?.UtilizationPercent ?? 0,
            InstanceCount = _instances.Count,
            PendingRequests = _instances.Values.Sum(i => i.Scheduler.Pending),
            ExecutedBatches = _instances.Values.Sum(i => (long)i.Scheduler.Statistics.ExecutionCount),
            Draining = _draining,
        };
    }

    private long? FreeGpuBytes() => _device.Kind == DeviceKind.Gpu ? _gpus.GetGpu(_device.Index)?.FreeMemoryBytes : null;

    private async Task RegisterAsync()
    {
        _metrics.ReportDevice(this.GetPrimaryKeyString(), _usedBytes, _device.BudgetBytes);
        try
        {
            await GrainFactory.GetGrain<IDeviceDirectoryGrain>(0).Register(Describe());
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            // The next period retries; the device keeps serving meanwhile.
            LogRegistrationFailed(_logger, ex, this.GetPrimaryKeyString());
        }
    }

    // A loaded instance and what eviction judges it by. Every member is read and written on the grain's turn only.
}
