using GrainServe.Gpu;
using GrainServe.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

    /// <summary>Creates the activator.</summary>
    public DeviceActivator(LocalDeviceCatalog catalog, ModelRepository repository, IGrainFactory grains, IOptions<ModelRepositoryOptions> options, ILogger<DeviceActivator> logger)
    {
        _catalog = catalog;
        _repository = repository;
        _grains = grains;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Completes when this silo's devices are active and the startup load pass has finished.</summary>
    public Task StartupLoad => _startupLoad.Task;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DeviceActivator), ServiceLifecycleStage.Active, OnActiveAsync, _ => Task.CompletedTask);

    private async Task OnActiveAsync(CancellationToken cancellationToken)
    {
        foreach (var device in _catalog.Devices)
        {
            await _grains.GetGrain<IGpuGrain>(_catalog.KeyOf(device)).GetInfo();
        }

        _ = Task.Run(LoadAllAsync, CancellationToken.None);
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

    [LoggerMessage(EventId = EventIds.StartupLoadFailed, EventName = nameof(EventIds.StartupLoadFailed), Level = LogLevel.Warning,
        Message = "Model {ModelName} could not be loaded at start")]
    private static partial void LogStartupLoadFailed(ILogger logger, Exception exception, string modelName);
}
