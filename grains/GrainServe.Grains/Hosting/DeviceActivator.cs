using GrainServe.Gpu;
using GrainServe.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GrainServe.Errors;

namespace GrainServe.Hosting;

/// <summary>
/// When the silo becomes active, activates the GPU grain of each local device (so the devices are in the
/// cluster's directory) and then, in the background, loads every model of the repository, as Triton does at
/// start. <see cref="StartupLoad"/> completes when that first load pass is done.
/// </summary>
public sealed partial class DeviceActivator : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly LocalDeviceCatalog _catalog;
    private readonly ModelRepository _repository;
    private readonly IGrainFactory _grains;
    private readonly ModelRepositoryOptions _options;
    private readonly ILogger<DeviceActivator> _logger;
    private readonly TaskCompletionSource _startupLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly IClusterMembershipService _membership;

    /// <summary>Creates the activator.</summary>
    public DeviceActivator(LocalDeviceCatalog catalog, ModelRepository repository, IGrainFactory grains, IClusterMembershipService membership, IOptions<ModelRepositoryOptions> options, ILogger<DeviceActivator> logger)
    {
        _membership = membership;
        _catalog = catalog;
        _repository = repository;
        _grains = grains;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Completes when this silo's devices are active and the startup load pass has finished.</summary>
    public Task StartupLoad => _startupLoad.Task;

    /// <summary>True once shutdown has begun: readiness turns false before the devices drain.</summary>
    public bool Draining { get; private set; }

    /// <summary>How long a graceful stop waits for the devices' queued requests. Default 20 s, below the host's 30 s shutdown timeout.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DeviceActivator), ServiceLifecycleStage.Active, OnActiveAsync, OnStopAsync);

    // A graceful stop (SIGTERM): stop taking work, finish what is queued, then let the silo leave the cluster.
    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        Draining = true;
        await _stopping.CancelAsync();
        LogDraining(_logger, _catalog.SiloName);
        var drains = _catalog.Devices.Select(device => _grains.GetGrain<IGpuGrain>(_catalog.KeyOf(device)).Drain(DrainTimeout));
        try
        {
            await Task.WhenAll(drains).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException || ClusterFailure.IsUnreachable(ex))
        {
            LogDrainIncomplete(_logger, ex, _catalog.SiloName);
        }
    }

    private async Task OnActiveAsync(CancellationToken cancellationToken)
    {
        foreach (var device in _catalog.Devices)
        {
            await _grains.GetGrain<IGpuGrain>(_catalog.KeyOf(device)).GetInfo();
        }

        _ = Task.Run(LoadAllAsync, CancellationToken.None);
        _ = Task.Run(() => ReregisterOnMembershipChangesAsync(_stopping.Token), CancellationToken.None);
    }

    // When a silo leaves, the device directory may have left with it; its new activation knows only the devices
    // that registered since. Registering again on every membership change refills it within moments.
    private async Task ReregisterOnMembershipChangesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in _membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                foreach (var device in _catalog.Devices)
                {
                    try
                    {
                        var info = await _grains.GetGrain<IGpuGrain>(_catalog.KeyOf(device)).GetInfo();
                        await _grains.GetGrain<IDeviceDirectoryGrain>(0).Register(info);
                    }
                    catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
                    {
                        // The periodic registration catches up.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The silo is stopping.
        }
    }

    private async Task LoadAllAsync()
    {
        try
        {
            if (_options.LoadAllOnStartup)
            {
                foreach (var model in _repository.ListModels())
                {
                    try
                    {
                        await _grains.GetGrain<IModelGrain>(model).EnsureLoaded();
                    }
                    catch (Exception ex)
                    {
                        // One model failing to load must not keep the others from loading.
                        LogStartupLoadFailed(_logger, ex, model);
                    }
                }
            }
        }
        finally
        {
            _startupLoad.TrySetResult();
        }
    }

    [LoggerMessage(EventId = EventIds.Draining, EventName = nameof(EventIds.Draining), Level = LogLevel.Information,
        Message = "Silo {SiloName} is stopping: draining its devices")]
    private static partial void LogDraining(ILogger logger, string siloName);

    [LoggerMessage(EventId = EventIds.DrainIncomplete, EventName = nameof(EventIds.DrainIncomplete), Level = LogLevel.Warning,
        Message = "Silo {SiloName} stopped before its devices finished draining")]
    private static partial void LogDrainIncomplete(ILogger logger, Exception exception, string siloName);

    [LoggerMessage(EventId = EventIds.StartupLoadFailed, EventName = nameof(EventIds.StartupLoadFailed), Level = LogLevel.Warning,
        Message = "Model {ModelName} could not be loaded at start")]
    private static partial void LogStartupLoadFailed(ILogger logger, Exception exception, string modelName);
}
