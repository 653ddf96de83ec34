using System.Diagnostics;
using GrainServe.Telemetry;
using GrainServe.Tracing;

namespace GrainServe.Generation;

/// <summary>
/// A generated sequence's spans on its device: one named after the model (Triton's request span) under the GPU grain's
/// incoming call, with a <see cref="TelemetryNames.QueueSpan"/> (submitted until the engine first took it into a step)
/// and a <see cref="TelemetryNames.DecodeSpan"/> (its prefill and decode steps, to its last token) as children. The
/// engine's steps mix many sequences; like a batch's compute span, the decode span is this sequence's view of them.
/// </summary>
internal sealed class SequenceTrace
{
    private readonly Activity _request;
    private readonly string _model;
    private readonly string _version;
    private readonly string _device;
    private Activity? _decode;

    private SequenceTrace(Activity request, string model, string version, string device)
    {
        _request = request;
        _model = model;
        _version = version;
        _device = device;
    }

    /// <summary>Null (nothing allocated) while tracing is off or the request does not record.</summary>
    public static SequenceTrace? Start(string model, string version, string device)
    {
        if (GrainServeActivities.StartModelSpan(model, version, device) is not { } request)
        {
            return null;
        }

        request.AddEvent(new ActivityEvent(TelemetryNames.QueueStart));
        return new SequenceTrace(request, model, version, device);
    }

    /// <summary>The engine took the sequence <paramref name="queueTime"/> after it was submitted: its queue span ends, its decode begins.</summary>
    public void Scheduled(TimeSpan queueTime)
    {
        var admitted = new DateTimeOffset(_request.StartTimeUtc) + queueTime;
        if (GrainServeActivities.StartDetached(TelemetryNames.QueueSpan, _request.Context, new DateTimeOffset(_request.StartTimeUtc)) is { } queue)
        {
            GrainServeActivities.TagDevice(queue, _model, _version, _device);
            GrainServeActivities.StopDetached(queue, admitted);
        }

        _decode = GrainServeActivities.StartDetached(TelemetryNames.DecodeSpan, _request.Context, admitted);
        if (_decode is not null)
        {
            GrainServeActivities.TagDevice(_decode, _model, _version, _device);
            GrainServeActivities.Event(_decode, TelemetryNames.ComputeStart, admitted);
        }
    }

    /// <summary>Ends the spans; <paramref name="error"/> when the sequence failed or was cancelled.</summary>
    public void End(int promptTokens, int completionTokens, (string Code, string Message)? error)
    {
        foreach (var span in _decode is null ? [_request] : new[] { _decode, _request })
        {
            if (span.IsAllDataRequested)
            {
                span.SetTag(TelemetryNames.PromptTokens, promptTokens);
                span.SetTag(TelemetryNames.CompletionTokens, completionTokens);
            }

            if (error is { } failed)
            {
                GrainServeActivities.Fail(span, failed.Code, failed.Message);
            }
        }

        GrainServeActivities.Event(_decode, TelemetryNames.ComputeEnd);
        GrainServeActivities.StopDetached(_decode);
        GrainServeActivities.Event(_request, TelemetryNames.RequestEnd);
        GrainServeActivities.StopDetached(_request);
    }
}
