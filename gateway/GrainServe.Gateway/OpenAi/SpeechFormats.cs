namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// The <c>response_format</c> values of <c>/v1/audio/speech</c>, their media types and their encoders: WAV and PCM
/// are written here; the others are ffmpeg's, as a child process fed raw samples.
/// </summary>
internal static class SpeechFormats
{
    public const string Mp3 = "mp3", Opus = "opus", Aac = "aac", Flac = "flac", Wav = "wav", Pcm = "pcm";

    /// <summary>Every format, OpenAI's order.</summary>
    public static readonly string[] All = [Mp3, Opus, Aac, Flac, Wav, Pcm];

    /// <summary>OpenAI's <c>pcm</c>: 24 kHz, 16-bit little-endian, mono, no header, whatever the voice's own rate.</summary>
    public const int PcmRate = 24000;

    /// <summary>Whether ffmpeg encodes <paramref name="format"/>.</summary>
    public static bool NeedsFfmpeg(string format) => format is not (Wav or Pcm);

    /// <summary>The Content-Type of <paramref name="format"/>'s bytes.</summary>
    public static string MediaType(string format) => format switch
    {
        Mp3 => "audio/mpeg",
        Opus => "audio/ogg",
        Aac => "audio/aac",
        Flac => "audio/flac",
        Wav => "audio/wav",
        _ => "audio/pcm",
    };
}
