namespace GrainServe.Speech.Transcription;

/// <summary>
/// The options of one long-form transcription, with the defaults of whisper's <c>transcribe()</c> and
/// <c>DecodingOptions</c>.
/// </summary>
public sealed record TranscribeOptions
{
    /// <summary>Whisper's fallback temperatures: 0.0 to 1.0 in steps of 0.2.</summary>
    public static readonly IReadOnlyList<double> DefaultTemperatures = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];

    /// <summary>Transcribe (the default) or translate into English.</summary>
    public TranscriptionTask Task { get; init; } = TranscriptionTask.Transcribe;

    /// <summary>The spoken language's code (<c>en</c>, <c>de</c>, …), or null (the default) to detect it from the first window and keep it for the rest.</summary>
    public string? Language { get; init; }

    /// <summary>
    /// The temperatures to decode each window at, in order: the next one is tried only when a result fails
    /// <see cref="CompressionRatioThreshold"/> or <see cref="LogprobThreshold"/>. Default
    /// <see cref="DefaultTemperatures"/>; one value turns the fallback off. Must not be empty.
    /// </summary>
    public IReadOnlyList<double> Temperatures { get; init; } = DefaultTemperatures;

    /// <summary>A window whose text's zlib compression ratio is above this is too repetitive and decoded again hotter. Default 2.4; null turns the check off.</summary>
    public double? CompressionRatioThreshold { get; init; } = 2.4;

    /// <summary>
    /// A window whose average log probability per token is below this failed and is decoded again hotter; above
    /// it, a window is never judged silent. Default -1.0; null turns both uses off.
    /// </summary>
    public double? LogprobThreshold { get; init; } = -1.0;

    /// <summary>
    /// A window whose <c>&lt;|nospeech|&gt;</c> probability is above this, and whose average log probability is
    /// below <see cref="LogprobThreshold"/>, is silence: skipped, with no segment and no fallback. Default 0.6; null
    /// turns silence detection off.
    /// </summary>
    public double? NoSpeechThreshold { get; init; } = 0.6;

    /// <summary>
    /// Whether the previous windows' text is the prompt of the next (default true). Off, or after a window decoded
    /// above temperature 0.5, the prompt restarts empty: less consistent text, but no repetition loop carried over.
    /// </summary>
    public bool ConditionOnPreviousText { get; init; } = true;

    /// <summary>Text to prompt the first window with (vocabulary, names, style), or null (the default). It is left out of the transcript.</summary>
    public string? InitialPrompt { get; init; }

    /// <summary>Whether to decode without timestamp tokens (default false): each window is then one segment.</summary>
    public bool WithoutTimestamps { get; init; }

    /// <summary>
    /// Whether each segment gets its words with their times (default false), as whisper's <c>word_timestamps</c>: one
    /// more decoder pass per window aligns its text with the audio through the cross-attention weights. With them a
    /// window that ends mid-speech seeks to its last word's end rather than its last timestamp, as whisper does.
    /// </summary>
    public bool WordTimestamps { get; init; }

    /// <summary>The most tokens to sample per window (<c>sample_len</c>). Default 224, half of Whisper's 448-token text context.</summary>
    public int SampleLength { get; init; } = 224;

    /// <summary>Beams for beam search at temperature 0, or null (the default) for greedy decoding. Ignored above temperature 0.</summary>
    public int? BeamSize { get; init; }

    /// <summary>Samples to choose the most probable of above temperature 0, or null (the default) for one. Ignored at temperature 0.</summary>
    public int? BestOf { get; init; }
}
