using System.Diagnostics;
using GrainServe.Contracts;
using GrainServe.Telemetry;
using GrainServe.Tracing;

namespace GrainServe.Batching;

/// <summary>
/// The device's spans of the dynamic batch queue. Each request has its own span, named after the model as Triton names
/// it, under the GPU grain's incoming call, from the moment it is queued until it is answered; when its batch starts, it
/// gets a <see cref="TelemetryNames.QueueSpan"/> (the wait) and a <see cref="TelemetryNames.ComputeSpan"/> (the batch's
/// run, as this request saw it) as children.
/// </summary>
/// <remarks>
/// A batch serves many requests, each in its own trace, so it cannot be the child of one: that would put the others'
/// work in one client's trace and leave it missing from theirs. The batch is therefore a
/// <see cref="TelemetryNames.BatchSpan"/> in a trace of its own with a link to each traced request (the OpenTelemetry
/// way for a batch of messages), and each request's trace still holds the whole story, through its own compute span
/// with the batch's size and a link back to the batch. Only requests that record are linked; a batch none of whose
/// requests record makes no span at all.
/// </remarks>
internal sealed class BatchTrace
{
    private readonly Activity _batch;
    private readonly List<Activity> _computes;

    private BatchTrace(Activity batch, List<Activity> computes)
    {
        _batch = batch;
        _computes = computes;
    }

    /// <summary>Starts a queued request's span; it is <see cref="TelemetryNames.QueueStart"/> at once.</summary>
    public static Activity? StartRequest(string model, string version, string device, string? requestId)
    {
        var span = GrainServeActivities.StartModelSpan(model, version, device);
        if (span is not null)
        {
            if (requestId is not null)
            {
                span.SetTag(TelemetryNames.RequestId, requestId);
            }

            span.AddEvent(new ActivityEvent(TelemetryNames.QueueStart));
        }

        return span;
    }

    /// <summary>Ends a request's span with its answer.</summary>
    public static void EndRequest(Activity? span, InferenceResult result)
    {
        if (span is null)
        {
            return;
        }

        if (result.Error is { } error)
        {
            GrainServeActivities.Fail(span, error.Code.ToString(), error.Message);
        }

        GrainServeActivities.Event(span, TelemetryNames.RequestEnd);
        GrainServeActivities.StopDetached(span);
    }

    /// <summary>
    /// Starts the batch's span and each traced request's queue and compute spans; null (and nothing allocated) when no
    /// request of the batch records.
    /// </summary>
    public static BatchTrace? Begin<T>(T[] batch, Func<T, Activity?> spanOf, string model, string version, string device, int rows)
    {
        if (!GrainServeActivities.Source.HasListeners())
        {
            return null;
        }

        List<ActivityLink>? links = null;
        foreach (var entry in batch)
        {
            if (spanOf(entry) is { IsAllDataRequested: true } span)
            {
                (links ??= []).Add(new ActivityLink(span.Context));
            }
        }

        if (links is null || GrainServeActivities.StartRoot(TelemetryNames.BatchSpan, links) is not { } root)
        {
            return null;
        }

        var now = DateTimeOffset.UtcNow;
        TagBatch(root, model, version, device, rows, batch.Length);
        var computes = new List<Activity>(links.Count);
        var toBatch = new[] { new ActivityLink(root.Context) };
        foreach (var entry in batch)
        {
            if (spanOf(entry) is not { IsAllDataRequested: true } request)
            {
                continue;
            }

            var queue = GrainServeActivities.StartDetached(TelemetryNames.QueueSpan, request.Context, new DateTimeOffset(request.StartTimeUtc));
            if (queue is not null)
            {
                GrainServeActivities.TagDevice(queue, model, version, device);
                GrainServeActivities.StopDetached(queue, now);
            }

            if (GrainServeActivities.StartDetached(TelemetryNames.ComputeSpan, request.Context, now, toBatch) is { } compute)
            {
                TagBatch(compute, model, version, device, rows, batch.Length);
                computes.Add(compute);
            }
        }

        var trace = new BatchTrace(root, computes);
        trace.Event(TelemetryNames.ComputeStart);
        return trace;
    }

    /// <summary>Adds one of Triton's compute timestamps to the batch and to each request's compute span.</summary>
    public void Event(string name)
    {
        var now = DateTimeOffset.UtcNow;
        GrainServeActivities.Event(_batch, name, now);
        foreach (var compute in _computes)
        {
            GrainServeActivities.Event(compute, name, now);
        }
    }

    /// <summary>Ends the batch's spans, failed with <paramref name="error"/> when the run threw.</summary>
    public void End(Exception? error = null)
    {
        if (error is null)
        {
            Event(TelemetryNames.ComputeEnd);
        }

        foreach (var span in _computes.Append(_batch))
        {
            if (error is not null)
            {
                GrainServeActivities.Fail(span, nameof(Errors.InferenceErrorCode.Internal), error.Message);
            }

            GrainServeActivities.StopDetached(span);
        }
    }

    private static void TagBatch(Activity span, string model, string version, string device, int rows, int requests)
    {
        GrainServeActivities.TagDevice(span, model, version, device);
        if (span.IsAllDataRequested)
        {
            span.SetTag(TelemetryNames.BatchSize, rows);
            span.SetTag(TelemetryNames.BatchRequests, requests);
        }
    }
}
