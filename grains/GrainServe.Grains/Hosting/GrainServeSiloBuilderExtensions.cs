using GrainServe.Batching;
using GrainServe.Generation;
using GrainServe.Gpu;
using GrainServe.Hosting;
using GrainServe.Monitoring;
using GrainServe.Models;
using GrainServe.Runtime;
using GrainServe.Speech.Synthesis.Piper;
using GrainServe.Speech.Whisper;
using GrainServe.Speech.Xtts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>
/// Adds GrainServe to an Orleans silo. Every silo of a cluster calls <see cref="AddInferenceGrains"/>;
/// silos that own devices also call <see cref="AddDevices"/>.
/// </summary>
public static class GrainServeSiloBuilderExtensions
{
    /// <summary>
    /// Registers what every silo needs, the gateway's included: the device placement director (placement is
    /// decided on the calling silo), the model repository reader (model grains may live on any silo) and
    /// the options bound from the <c>ModelRepository</c> section.
    /// </summary>
    public static ISiloBuilder AddInferenceGrains(this ISiloBuilder builder)
    {
        builder.AddPlacementDirector<DevicePlacementStrategy, DevicePlacementDirector>();
        var services = builder.Services;
        services.AddOptions<ModelRepositoryOptions>().BindConfiguration(ModelRepositoryOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ModelRepository>();

        // Every silo serves its own metrics: the gateway on Gateway:MetricsPort, a device silo on Metrics:Port.
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>());
        services.TryAddSingleton<InferenceMetrics>();
        services.TryAddSingleton(sp => new HostMetrics(sp.GetService<LocalDeviceCatalog>(), sp.GetService<IGpuInfoProvider>()));
        services.AddHostedService<PrometheusMeterExport>();

        // Grain state (a model's traffic policy) lives in memory unless the cluster configured a durable store first
        // (UseGrainServeCluster registers Redis's when membership is in Redis).
        if (!services.Any(d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, GrainStorage.Name)))
        {
            builder.AddMemoryGrainStorage(GrainStorage.Name);
        }

        return builder;
    }

    /// <summary>
    /// Makes this silo host devices: discovers its GPUs through NVML (or configured CPU devices), activates a
    /// GPU grain per device at start and loads the repository's models. Options come from the <c>Devices</c>
    /// and <c>Runtime</c> sections.
    /// </summary>
    public static ISiloBuilder AddDevices(this ISiloBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DeviceOptions>().BindConfiguration(DeviceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeviceOptions>, DeviceOptionsValidator>();
        services.AddOptions<RuntimeOptions>().BindConfiguration(RuntimeOptions.SectionName);
        services.TryAddSingleton<IGpuInfoProvider, NvmlGpuInfoProvider>();
        services.TryAddSingleton<OnnxSessionFactory>();
        services.TryAddSingleton<IModelRunnerFactory>(sp => new OnnxModelRunnerFactory(sp.GetRequiredService<OnnxSessionFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRunnerProvider, BatchedModelProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRunnerProvider, TextGenerationProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRunnerProvider, WhisperProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRunnerProvider, XttsProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelRunnerProvider, PiperProvider>());
        services.TryAddSingleton<LocalDeviceCatalog>();
        services.TryAddSingleton<LocalInstances>();
        services.TryAddSingleton<DeviceActivator>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DeviceActivator>());
        return builder;
    }
}
