using System.Diagnostics;
using GrainServe.Errors;
using GrainServe.Telemetry;
using GrainServe.Tracing;

namespace GrainServe.Routing;

/// <summary>
/// The router's spans: one <see cref="TelemetryNames.InferRequestSpan"/> per request, under the host's (ASP.NET Core's)
/// span, and a <see cref="TelemetryNames.RouteSpan"/> per attempt; a failover is an event of the request's span. The grain
/// calls an attempt makes are children of the request's span, so the device's spans join the same trace.
/// </summary>
internal static class RouterTracing
{
    /// <summary>Starts the request's span, which is <see cref="Activity.Current"/> for the router's grain calls.</summary>
    public static Activity? StartRequest(string model, string? requestId)
    {
        var activity = GrainServeActivities.Source.StartActivity(TelemetryNames.InferRequestSpan);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryNames.ModelName, model);
            if (requestId is not null)
            {
                activity.SetTag(TelemetryNames.RequestId, requestId);
            }
        }

        return activity;
    }

    /// <summary>
    /// Makes the request's span current again after a streamed chunk went out: an iterator resumes in its caller's
    /// context, where the next grain call would otherwise hang under the host's span.
    /// </summary>
    public static void Resume(Activity? request)
    {
        if (request is not null && Activity.Current != request)
        {
            Activity.Current = request;
        }
    }

    public static Activity? StartRoute(int attempt)
    {
        var activity = GrainServeActivities.Source.StartActivity(TelemetryNames.RouteSpan);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryNames.Attempt, attempt + 1);
        }

        return activity;
    }

    /// <summary>Ends an attempt's routing span with what it chose, or why nothing could be chosen.</summary>
    public static void EndRoute(Activity? route, InstanceSlot? slot, InferenceError? error)
    {
        if (route is null)
        {
            return;
        }

        if (route.IsAllDataRequested)
        {
            if (slot is not null)
            {
                route.SetTag(TelemetryNames.ModelVersion, slot.Version);
                route.SetTag(TelemetryNames.InstanceId, slot.InstanceId);
                route.SetTag(TelemetryNames.Device, slot.DeviceKey);
            }
            else if (error is not null)
            {
                GrainServeActivities.Fail(route, error.Code.ToString(), error.Message);
            }
        }

        route.Stop();
    }

    /// <summary>Records that an attempt's instance was lost or not ready, and the router tries another.</summary>
    public static void Failover(Activity? request, InstanceSlot slot, InferenceError error)
    {
        if (request is { IsAllDataRequested: true })
        {
            request.AddEvent(new ActivityEvent(TelemetryNames.Failover, tags: new ActivityTagsCollection
            {
                [TelemetryNames.Device] = slot.DeviceKey,
                [TelemetryNames.InstanceId] = slot.InstanceId,
                [TelemetryNames.ErrorCode] = error.Code.ToString(),
                ["exception.message"] = error.Message,
            }));
        }
    }

    /// <summary>Tags the request's span with the version that answered and the error it ended with, if any.</summary>
    public static void End(Activity? request, string? version, InferenceError? error)
    {
        if (request is not { IsAllDataRequested: true })
        {
            return;
        }

        if (version is not null)
        {
            request.SetTag(TelemetryNames.ModelVersion, version);
        }

        if (error is not null)
        {
            GrainServeActivities.Fail(request, error.Code.ToString(), error.Message);
        }
    }
}
