using Microsoft.Extensions.Logging;

namespace GrainServe.Gpu;

internal sealed partial class GpuGrain
{
    [LoggerMessage(EventId = EventIds.InstanceLoaded, EventName = nameof(EventIds.InstanceLoaded), Level = LogLevel.Information,
        Message = "Loaded model {ModelName} version {ModelVersion} on {DeviceKey} ({MemoryBytes} bytes)")]
    private static partial void LogInstanceLoaded(ILogger logger, string modelName, string modelVersion, string deviceKey, long memoryBytes);

    [LoggerMessage(EventId = EventIds.InstanceRefused, EventName = nameof(EventIds.InstanceRefused), Level = LogLevel.Warning,
        Message = "Model {ModelName} version {ModelVersion} was not loaded on {DeviceKey}: {Reason}")]
    private static partial void LogInstanceRefused(ILogger logger, string modelName, string modelVersion, string deviceKey, string reason);

    [LoggerMessage(EventId = EventIds.InstanceUnloaded, EventName = nameof(EventIds.InstanceUnloaded), Level = LogLevel.Information,
        Message = "Unloaded model {ModelName} version {ModelVersion} from {DeviceKey}")]
    private static partial void LogInstanceUnloaded(ILogger logger, string modelName, string modelVersion, string deviceKey);

    [LoggerMessage(EventId = EventIds.DeviceRegistrationFailed, EventName = nameof(EventIds.DeviceRegistrationFailed), Level = LogLevel.Warning,
        Message = "Device {DeviceKey} could not register with the device directory; it retries shortly")]
    private static partial void LogRegistrationFailed(ILogger logger, Exception exception, string deviceKey);

    [LoggerMessage(EventId = EventIds.InstanceEvicted, EventName = nameof(EventIds.InstanceEvicted), Level = LogLevel.Information,
        Message = "Evicted model {ModelName} version {ModelVersion} from {DeviceKey} ({MemoryBytes} bytes freed): {Reason}")]
    private static partial void LogInstanceEvicted(ILogger logger, string modelName, string modelVersion, string deviceKey, long memoryBytes, string reason);

    [LoggerMessage(EventId = EventIds.InstanceWarmedUp, EventName = nameof(EventIds.InstanceWarmedUp), Level = LogLevel.Information,
        Message = "Model {ModelName} version {ModelVersion} on {DeviceKey} ran {Runs} model_warmup request(s) in {ElapsedMs} ms before taking traffic")]
    private static partial void LogInstanceWarmedUp(ILogger logger, string modelName, string modelVersion, string deviceKey, int runs, long elapsedMs);
}
