using System.Diagnostics;
using GrainServe.Telemetry;

namespace GrainServe.Tracing;

/// <summary>
/// The <see cref="ActivitySource"/> of GrainServe's spans, and starts and stops for spans that outlive the call that
/// starts them. Every method returns at once, allocating nothing, while no listener exists (tracing off).
/// </summary>
internal static class GrainServeActivities
{
    public static readonly ActivitySource Source = new(TelemetryNames.ActivitySourceName, typeof(GrainServeActivities).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts a span under <paramref name="parent"/> (under <see cref="Activity.Current"/> when default) and leaves
    /// <see cref="Activity.Current"/> as it was: for a span ended elsewhere (a queued request's, ended when its batch
    /// completes it), which must not become the parent of what its starter does next.
    /// </summary>
    public static Activity? StartDetached(string name, ActivityContext parent = default, DateTimeOffset startTime = default, IEnumerable<ActivityLink>? links = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent, tags: null, links, startTime);
        Restore(current);
        return activity;
    }

    /// <summary>Starts a span that begins a trace of its own, whatever <see cref="Activity.Current"/> is.</summary>
    public static Activity? StartRoot(string name, IEnumerable<ActivityLink> links)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        Activity.Current = null;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parentContext: default, tags: null, links);
        Restore(current);
        return activity;
    }

    /// <summary>
    /// Ends a span started elsewhere (<see cref="Activity.Stop"/> would make its parent the current activity of this
    /// thread), at <paramref name="endTime"/> when given.
    /// </summary>
    public static void StopDetached(Activity? activity, DateTimeOffset endTime = default)
    {
        if (activity is null)
        {
            return;
        }

        var current = Activity.Current;
        if (endTime != default)
        {
            activity.SetEndTime(endTime.UtcDateTime);
        }

        activity.Stop();
        Restore(current);
    }

    /// <summary>
    /// Starts a request's span on its device, named after the model as Triton names it, tagged with the model, version and
    /// device and marked <see cref="TelemetryNames.RequestStart"/>; null (nothing kept) while tracing is off or the
    /// request does not record.
    /// </summary>
    public static Activity? StartModelSpan(string model, string version, string device)
    {
        if (StartDetached(model) is not { } span)
        {
            return null;
        }

        if (!span.IsAllDataRequested)
        {
            StopDetached(span);
            return null;
        }

        TagDevice(span, model, version, device);
        span.AddEvent(new ActivityEvent(TelemetryNames.RequestStart));
        return span;
    }

    /// <summary>Tags a span with the model, version and device, when it records.</summary>
    public static void TagDevice(Activity? activity, string model, string version, string device)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryNames.ModelName, model);
            activity.SetTag(TelemetryNames.ModelVersion, version);
            activity.SetTag(TelemetryNames.Device, device);
        }
    }

    /// <summary>Tags a span with the model and version, when it records.</summary>
    public static void TagModel(Activity? activity, string model, string version)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryNames.ModelName, model);
            activity.SetTag(TelemetryNames.ModelVersion, version);
        }
    }

    /// <summary>Adds an event (Triton's timestamps) at <paramref name="timestamp"/>, or now, when the span records.</summary>
    public static void Event(Activity? activity, string name, DateTimeOffset timestamp = default)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.AddEvent(new ActivityEvent(name, timestamp));
        }
    }

    /// <summary>Marks a span failed with the request's error.</summary>
    public static void Fail(Activity? activity, string code, string message)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetStatus(ActivityStatusCode.Error, message);
            activity.SetTag(TelemetryNames.ErrorCode, code);
        }
    }

    // Setting Activity.Current copies the execution context: only when it changed.
    private static void Restore(Activity? current)
    {
        if (Activity.Current != current)
        {
            Activity.Current = current;
        }
    }
}
