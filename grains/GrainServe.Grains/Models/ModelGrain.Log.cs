using Microsoft.Extensions.Logging;

namespace GrainServe.Models;

internal sealed partial class ModelGrain
{
    [LoggerMessage(EventId = EventIds.ModelVersionLoaded, EventName = nameof(EventIds.ModelVersionLoaded), Level = LogLevel.Information,
        Message = "Model {ModelName} version {ModelVersion} is ready with {InstanceCount} instance(s)")]
    private static partial void LogVersionLoaded(ILogger logger, string modelName, string modelVersion, int instanceCount);

    [LoggerMessage(EventId = EventIds.ModelVersionUnavailable, EventName = nameof(EventIds.ModelVersionUnavailable), Level = LogLevel.Warning,
        Message = "Model {ModelName} version {ModelVersion} is unavailable: {Reason}")]
    private static partial void LogVersionUnavailable(ILogger logger, string modelName, string modelVersion, string reason);

    [LoggerMessage(EventId = EventIds.InstanceLost, EventName = nameof(EventIds.InstanceLost), Level = LogLevel.Warning,
        Message = "Model {ModelName} version {ModelVersion} lost its instance on {DeviceKey}: {Reason}")]
    private static partial void LogInstanceLost(ILogger logger, string modelName, string modelVersion, string deviceKey, string reason);

    [LoggerMessage(EventId = EventIds.ModelUnloaded, EventName = nameof(EventIds.ModelUnloaded), Level = LogLevel.Information,
        Message = "Model {ModelName} was unloaded from every device")]
    private static partial void LogModelUnloaded(ILogger logger, string modelName);

    [LoggerMessage(EventId = EventIds.ScaledOut, EventName = nameof(EventIds.ScaledOut), Level = LogLevel.Information,
        Message = "Model {ModelName} version {ModelVersion} was busy on every instance: now {InstanceCount} instance(s)")]
    private static partial void LogScaledOut(ILogger logger, string modelName, string modelVersion, int instanceCount);
}
