using GrainServe.Errors;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// Picks the encoder of a <c>response_format</c>, and says before any synthesis starts when the one it needs is not
/// installed: ffmpeg is looked up as a path or on PATH, as the speech-to-text decoder runs it.
/// </summary>
internal sealed class SpeechEncoders(string ffmpegPath = SpeechEncoders.DefaultFfmpegPath)
{
    /// <summary>The ffmpeg run by default: the one on PATH (Debian's package puts it in /usr/bin).</summary>
    public const string DefaultFfmpegPath = "ffmpeg";

    /// <summary>Throws the 400 of <see cref="MissingFfmpeg"/> when <paramref name="format"/> needs ffmpeg and it is not there.</summary>
    public void Check(string format)
    {
        if (SpeechFormats.NeedsFfmpeg(format) && !Found(ffmpegPath))
        {
            throw MissingFfmpeg(format, ffmpegPath);
        }
    }

    /// <summary>An encoder of <paramref name="format"/> for <paramref name="sampleRate"/> Hz samples, writing to <paramref name="sink"/>.</summary>
    public SpeechEncoder Create(string format, int sampleRate, Func<ReadOnlyMemory<byte>, ValueTask> sink) => format switch
    {
        SpeechFormats.Wav => new WavSpeechEncoder(sampleRate, sink),
        SpeechFormats.Pcm => new PcmSpeechEncoder(sampleRate, sink),
        _ => FfmpegSpeechEncoder.Start(ffmpegPath, format, sampleRate, sink),
    };

    /// <summary>The 400 for a format whose encoder is missing, naming the tool.</summary>
    public static InferenceException MissingFfmpeg(string format, string ffmpegPath) => new(
        InferenceErrorCode.InvalidInput,
        $"response_format '{format}' is encoded by ffmpeg, which is not installed on this server ('{ffmpegPath}' was not found); use wav or pcm, or install ffmpeg");

    private static bool Found(string path)
    {
        if (path.Contains(Path.DirectorySeparatorChar))
        {
            return File.Exists(path);
        }

        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return folders.Any(folder => File.Exists(Path.Combine(folder, path)));
    }
}
