namespace GrainServe.Speech.Audio;

/// <summary>
/// Turns an uploaded audio file into the 16 kHz mono float32 samples Whisper reads. WAV is parsed and resampled
/// in-process; every other container, recognised from its first bytes, is decoded by ffmpeg as a child process.
/// Every input that cannot be decoded raises <see cref="AudioFormatException"/> with a message for the caller.
/// Thread-safe: one instance serves every request.
/// </summary>
public sealed class AudioDecoder
{
    /// <summary>The ffmpeg the parameterless constructor runs: the one found on PATH (Debian's package puts it in /usr/bin).</summary>
    public const string DefaultFfmpegPath = "ffmpeg";

    private readonly FfmpegDecoder _ffmpeg;

    /// <summary>Creates a decoder that runs ffmpeg from PATH.</summary>
    public AudioDecoder()
        : this(DefaultFfmpegPath)
    {
    }

    /// <summary>Creates a decoder that runs the ffmpeg at <paramref name="ffmpegPath"/> (a path, or a name looked up on PATH).</summary>
    public AudioDecoder(string ffmpegPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ffmpegPath);
        _ffmpeg = new FfmpegDecoder(ffmpegPath);
    }

    /// <summary>
    /// Decodes <paramref name="file"/> (a whole audio file) within <paramref name="limits"/>. WAV is decoded and
    /// resampled on the calling thread (CPU work in proportion to its length), so the task returned is already
    /// complete; other formats wait for ffmpeg, which is killed if <paramref name="cancellationToken"/> fires. Failures
    /// come through the task, never thrown from the call.
    /// </summary>
    /// <exception cref="AudioFormatException">The file is not audio this server can decode, or breaks a limit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<DecodedAudio> DecodeAsync(ReadOnlyMemory<byte> file, AudioLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();
        if (file.Length == 0)
        {
            throw new AudioFormatException("the audio file is empty");
        }

        if (file.Length > limits.MaxBytes)
        {
            throw new AudioFormatException($"the audio file is {Mib(file.Length)}, over this server's limit of {Mib(limits.MaxBytes)}");
        }

        var format = AudioContainers.Detect(file.Span)
            ?? throw new AudioFormatException($"the file is not audio this server can read (it starts with bytes {AudioContainers.Leading(file.Span)}); send {AudioContainers.Supported}");
        return format == AudioContainers.Wav
            ? DecodeWav(file.Span, limits)
            : await _ffmpeg.DecodeAsync(file, format, limits, cancellationToken);
    }

    private static DecodedAudio DecodeWav(ReadOnlySpan<byte> file, AudioLimits limits)
    {
        var layout = WavReader.ReadLayout(file);
        // From the header alone, before any sample is converted or resampled.
        if (layout.DurationSeconds > limits.MaxDurationSeconds)
        {
            throw new AudioFormatException($"the audio is {Durations.Format(layout.DurationSeconds)} long, over this server's limit of {Durations.Format(limits.MaxDurationSeconds)}");
        }

        var samples = Resampler.To16k(WavReader.ReadMono(file, layout), layout.SampleRate);
        return new DecodedAudio(samples, layout.SampleRate, layout.Channels, AudioContainers.Wav, layout.DurationSeconds);
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):0.##} MiB";
}
