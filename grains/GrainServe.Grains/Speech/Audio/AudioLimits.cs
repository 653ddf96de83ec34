namespace GrainServe.Speech.Audio;

/// <summary>What <see cref="AudioDecoder"/> accepts from one upload.</summary>
public sealed record AudioLimits
{
    /// <summary>The default <see cref="MaxBytes"/>: 25 MiB, OpenAI's limit on a transcription upload.</summary>
    public const long DefaultMaxBytes = 25L * 1024 * 1024;

    /// <summary>
    /// The default <see cref="MaxDurationSeconds"/>: one hour. Its decoded samples take 230 MB (57.6 M float32 at
    /// 16 kHz) and its 80-bin log-mel spectrogram another 115 MB, which is what one request may hold.
    /// </summary>
    public const double DefaultMaxDurationSeconds = 3600;

    /// <summary>The limits used when a caller names none.</summary>
    public static AudioLimits Default { get; } = new();

    /// <summary>Largest file accepted, in bytes, checked before anything is parsed. Default 25 MiB.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>
    /// Longest audio accepted, in seconds. A WAV is checked from its header before any sample is converted; other
    /// formats while ffmpeg's output arrives, which is stopped as soon as it passes the limit. Default one hour.
    /// </summary>
    public double MaxDurationSeconds { get; init; } = DefaultMaxDurationSeconds;

    /// <summary>
    /// How long ffmpeg may take to decode one file before it is killed and the file refused. Ignored for WAV,
    /// which is decoded in-process. Default 2 minutes: an hour of mp3 decodes in seconds, so more means a hostile file.
    /// </summary>
    public TimeSpan DecodeTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
