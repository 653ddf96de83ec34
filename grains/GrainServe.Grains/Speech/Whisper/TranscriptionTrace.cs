using System.Diagnostics;
using GrainServe.Telemetry;
using GrainServe.Tracing;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// A transcription's spans on its device: one named after the model (Triton's request span) under the GPU grain's
/// incoming call, with an <see cref="TelemetryNames.AudioSpan"/> (decoding and the log-mel front end) and a
/// <see cref="TelemetryNames.TranscribeSpan"/> (the seek loop: each window's encoder run and its decode steps, which the
/// engine shares with other transcriptions) as children. Null, allocating nothing, while tracing is off.
/// </summary>
internal sealed class TranscriptionTrace
{
    private readonly Activity _request;
    private readonly string _model;
    private readonly string _version;
    private readonly string _device;
    private Activity? _phase;

    private TranscriptionTrace(Activity request, string model, string version, string device)
    {
        _request = request;
        _model = model;
        _version = version;
        _device = device;
    }

    public static TranscriptionTrace? Start(string model, string version, string device)
    {
        if (GrainServeActivities.StartModelSpan(model, version, device) is not { } request)
        {
            return null;
        }

        var trace = new TranscriptionTrace(request, model, version, device);
        trace._phase = trace.Child(TelemetryNames.AudioSpan);
        return trace;
    }

    /// <summary>The audio is decoded (<paramref name="seconds"/> long): its span ends and the transcription's begins.</summary>
    public void Decoded(double seconds)
    {
        _request.SetTag(TelemetryNames.AudioSeconds, seconds);
        GrainServeActivities.StopDetached(_phase);
        _phase = Child(TelemetryNames.TranscribeSpan);
        GrainServeActivities.Event(_phase, TelemetryNames.ComputeStart);
    }

    /// <summary>Ends the spans; <paramref name="error"/> when the transcription failed.</summary>
    public void End((string Code, string Message)? error)
    {
        if (error is { } failed)
        {
            GrainServeActivities.Fail(_phase, failed.Code, failed.Message);
            GrainServeActivities.Fail(_request, failed.Code, failed.Message);
        }

        GrainServeActivities.StopDetached(_phase);
        GrainServeActivities.Event(_request, TelemetryNames.RequestEnd);
        GrainServeActivities.StopDetached(_request);
    }

    private Activity? Child(string name)
    {
        var span = GrainServeActivities.StartDetached(name, _request.Context);
        GrainServeActivities.TagDevice(span, _model, _version, _device);
        return span;
    }
}
