namespace GrainServe.Speech.Transcription;

/// <summary>
/// Decodes one 30 s window of a log-mel spectrogram, as whisper's <c>model.decode(mel_segment, DecodingOptions)</c>
/// does: the runtime implements it on the generation engine (encoder pass, prompt, sampling); tests script it.
/// </summary>
public interface IWindowDecoder
{
    /// <summary>
    /// Decodes the window <paramref name="request"/> names at its temperature, once: the transcriber owns the
    /// temperature fallback and calls again with the next temperature when a result fails its thresholds.
    /// </summary>
    Task<WindowDecodeResult> DecodeAsync(WindowDecodeRequest request, CancellationToken cancellationToken);
}
