using GrainServe.Errors;
using Microsoft.Extensions.Logging;

namespace GrainServe.Models;

// Cold starts, for a version autoscaled with min_instances 0: the request that finds it at zero instances asks the grain
// (Recover) for one, and every request that comes while it loads waits on the same load, up to cold_start_timeout_s.
// A load that fails is not tried again for every request: for RetryLoadInterval they answer not ready with its reason.
internal sealed partial class ModelGrain
{
    private readonly Dictionary<string, Task> _coldStarts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _coldStartReasons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _coldStartFailedAt = new(StringComparer.Ordinal);

    // For Recover: when the version is scaled to zero, loads one instance, or joins the load under way, and waits for it
    // (cold_start_timeout_s at most). False when the version is not scaled to zero, so the usual recovery applies.
    private async Task<bool> TryColdStartAsync(ModelVersionState? version)
    {
        if (version is null || !IsScaledToZero(version) || _definition?.Config.Autoscaling is not { } config)
        {
            return false;
        }

        if (_coldStartFailedAt.TryGetValue(version.Version, out var failedAt) && _time.GetUtcNow() - failedAt < RetryLoadInterval
            && _coldStarts.GetValueOrDefault(version.Version) is not { IsCompleted: false })
        {
            // A load that has just failed is not tried again for every request: they answer not ready with its reason.
            return true;
        }

        var timeout = TimeSpan.FromSeconds(config.ColdStartTimeoutS);
        try
        {
            await StartColdStart(version, config).WaitAsync(timeout, _time);
        }
        catch (TimeoutException) when (version.Instances.Count == 0)
        {
            // The load goes on, for the requests that come next; this one answers not ready with the reason.
            _coldStartReasons[version.Version] = $"it is scaled to zero and no instance loaded within cold_start_timeout_s ({config.ColdStartTimeoutS} s); it is still loading, retry";
        }

        return true;
    }

    // One load per version at a time: every request held at zero waits on the same one.
    private Task StartColdStart(ModelVersionState version, AutoscalingConfig config)
    {
        if (!_coldStarts.TryGetValue(version.Version, out var load) || load.IsCompleted)
        {
            load = ColdStartAsync(version, config);
            _coldStarts[version.Version] = load;
        }

        return load;
    }

    private async Task ColdStartAsync(ModelVersionState version, AutoscalingConfig config)
    {
        var started = _time.GetTimestamp();
        // A request at zero wants one instance at once (the autoscaler's own rule); the idle time that led to zero ends.
        AutoscalerOf(version.Version, config).Decide(0, 1, _time.GetUtcNow());
        string? failure;
        try
        {
            failure = await _placer.AddInstance(version, await GetDevicesAsync());
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            failure = $"the cluster's devices are unreachable: {ex.Message}";
        }

        var took = _time.GetElapsedTime(started);
        GrainServeMetrics.RecordColdStart(Name, version.Version, took, failure is null);
        if (failure is null)
        {
            _coldStartReasons.Remove(version.Version);
            _coldStartFailedAt.Remove(version.Version);
            LogColdStarted(_logger, Name, version.Version, (long)took.TotalMilliseconds);
            return;
        }

        _coldStartReasons[version.Version] = $"it is scaled to zero and its cold start failed: {failure}; retry";
        _coldStartFailedAt[version.Version] = _time.GetUtcNow();
        LogColdStartFailed(_logger, Name, version.Version, (long)took.TotalMilliseconds, failure);
    }

    [LoggerMessage(EventId = EventIds.ColdStarted, EventName = nameof(EventIds.ColdStarted), Level = LogLevel.Information,
        Message = "Model {ModelName} version {ModelVersion} was scaled to zero; a cold start loaded an instance in {ElapsedMilliseconds} ms")]
    private static partial void LogColdStarted(ILogger logger, string modelName, string modelVersion, long elapsedMilliseconds);

    [LoggerMessage(EventId = EventIds.ColdStartFailed, EventName = nameof(EventIds.ColdStartFailed), Level = LogLevel.Warning,
        Message = "Model {ModelName} version {ModelVersion} was scaled to zero and its cold start failed after {ElapsedMilliseconds} ms: {Reason}")]
    private static partial void LogColdStartFailed(ILogger logger, string modelName, string modelVersion, long elapsedMilliseconds, string reason);
}
