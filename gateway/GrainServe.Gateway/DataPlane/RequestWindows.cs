using System.Collections.Concurrent;
using GrainServe.Errors;

namespace GrainServe.Gateway.DataPlane;

/// <summary>
/// This gateway's <see cref="RequestWindow"/> per model and version, fed by the data plane with every request it routes
/// and read by the operator page. A request whose version is unknown (it named none and failed before an instance
/// answered) counts in its model's total only.
/// </summary>
internal sealed partial class RequestWindows
{
    /// <summary>Model versions tracked at most; requests of further ones are not counted, so memory stays bounded.</summary>
    public const int MaxSeries = 1024;

    private const string NoVersion = "";

    private readonly TimeProvider _time;
    private readonly ILogger<RequestWindows> _logger;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, RequestWindow>> _models = new(StringComparer.Ordinal);
    private int _series;
    private int _fullLogged;

    public RequestWindows(TimeProvider time, ILogger<RequestWindows> logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Counts one request to <paramref name="model"/> that took <paramref name="duration"/>; <paramref name="error"/> is null
    /// when it succeeded. An unknown model or version is not counted: names a client made up must not grow the table.
    /// </summary>
    public void Record(string model, string? version, TimeSpan duration, InferenceErrorCode? error)
    {
        if (error == InferenceErrorCode.ModelNotFound)
        {
            return;
        }

        if (WindowOf(model, version ?? NoVersion) is { } window)
        {
            window.Record(duration, failed: error is not null);
        }
    }

    /// <summary>The figures of one version of <paramref name="model"/>, or of all its requests when <paramref name="version"/> is null.</summary>
    public RequestFigures Of(string model, string? version)
    {
        if (!_models.TryGetValue(model, out var versions))
        {
            return RequestWindow.Combine([]);
        }

        if (version is null)
        {
            return RequestWindow.Combine(versions.Values);
        }

        return versions.TryGetValue(version, out var window) ? window.Figures() : RequestWindow.Combine([]);
    }

    private RequestWindow? WindowOf(string model, string version)
    {
        if (_models.TryGetValue(model, out var versions) && versions.TryGetValue(version, out var window))
        {
            return window;
        }

        // Reserve the series first, so that racing first requests never take the table past its bound.
        if (Interlocked.Increment(ref _series) > MaxSeries)
        {
            Interlocked.Decrement(ref _series);
            if (Interlocked.Exchange(ref _fullLogged, 1) == 0)
            {
                LogRequestWindowsFull(_logger, MaxSeries, model, version);
            }

            return null;
        }

        var created = new RequestWindow(_time);
        var kept = _models.GetOrAdd(model, _ => new ConcurrentDictionary<string, RequestWindow>(StringComparer.Ordinal)).GetOrAdd(version, created);
        if (!ReferenceEquals(kept, created))
        {
            // Another request created it first.
            Interlocked.Decrement(ref _series);
        }

        return kept;
    }

    [LoggerMessage(EventId = EventIds.RequestWindowsFull, EventName = nameof(EventIds.RequestWindowsFull), Level = LogLevel.Warning,
        Message = "The operator page's request figures track {MaxSeries} model versions already; {ModelName} version {ModelVersion} and any further ones are not counted")]
    private static partial void LogRequestWindowsFull(ILogger logger, int maxSeries, string modelName, string modelVersion);
}
