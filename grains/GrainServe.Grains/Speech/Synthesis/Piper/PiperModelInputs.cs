using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>
/// The inputs and output of a Piper VITS export: <c>input</c> int64 [1, n] phoneme ids, <c>input_lengths</c> int64
/// [1], <c>scales</c> float32 [3] (noise_scale, length_scale, noise_w), <c>sid</c> int64 [1] on a multi-speaker
/// voice, and the audio, float32 [1, 1, samples].
/// </summary>
/// <param name="HasSpeakerId">Whether the graph takes <c>sid</c>.</param>
/// <param name="Output">The audio output's name (<c>output</c> in Piper's exports).</param>
internal sealed record PiperModelInputs(bool HasSpeakerId, string Output)
{
    public const string Input = "input", InputLengths = "input_lengths", Scales = "scales", SpeakerId = "sid";

    /// <summary>Reads the session's signature; the error is a message for the load failure, or null.</summary>
    public static (PiperModelInputs? Inputs, string? Error) Read(InferenceSession session, PiperVoiceConfig voice)
    {
        var inputs = session.InputMetadata;
        foreach (var (name, type) in new[] { (Input, typeof(long)), (InputLengths, typeof(long)), (Scales, typeof(float)) })
        {
            if (!inputs.TryGetValue(name, out var meta) || meta.ElementType != type)
            {
                return (null, $"it has no {(type == typeof(long) ? "int64" : "float32")} input '{name}': it is not a Piper VITS export (inputs {string.Join(", ", inputs.Keys)})");
            }
        }

        var hasSid = inputs.ContainsKey(SpeakerId);
        if (voice.NumSpeakers > 1 && !hasSid)
        {
            return (null, $"its .onnx.json says {voice.NumSpeakers} speakers, but the graph takes no '{SpeakerId}' input");
        }

        if (inputs.Keys.FirstOrDefault(k => k is not (Input or InputLengths or Scales or SpeakerId)) is { } extra)
        {
            return (null, $"it takes an input '{extra}' that Piper's exports do not have");
        }

        var output = session.OutputMetadata.FirstOrDefault(o => o.Value.ElementType == typeof(float)).Key;
        return output is null ? (null, "it has no float32 audio output") : (new PiperModelInputs(hasSid, output), null);
    }
}
