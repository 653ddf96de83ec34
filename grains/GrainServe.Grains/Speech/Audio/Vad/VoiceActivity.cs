namespace GrainServe.Speech.Audio.Vad;

/// <summary>
/// A Whisper model's voice activity detector, or why it has none (the model file is missing or is not Silero VAD v5): a
/// model loads either way, and only a request with <c>vad_filter</c> is refused, with that reason.
/// </summary>
/// <param name="Detector">The loaded detector; null when <paramref name="Missing"/> says why not.</param>
/// <param name="Missing">Why there is no detector; null when there is one.</param>
internal sealed record VoiceActivity(SileroVad? Detector, string? Missing)
{
    /// <summary>Where the build puts Silero VAD v5 (build/SileroVad.targets): beside the host's binaries.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "vad", "silero_vad_v5.onnx");

    /// <summary>Loads the detector at <paramref name="path"/>, or says why it cannot.</summary>
    public static VoiceActivity Load(string path)
    {
        if (!File.Exists(path))
        {
            return new(null, $"no Silero VAD v5 at '{path}' (the build fetches it with tools/fetch-silero-vad.sh, which needs npm; or set the model's parameter vad_model)");
        }

        try
        {
            return new(SileroVad.Load(path), null);
        }
        catch (Exception ex) when (ex is InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            return new(null, ex.Message);
        }
    }
}
