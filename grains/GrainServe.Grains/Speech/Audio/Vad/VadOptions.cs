namespace GrainServe.Speech.Audio.Vad;

/// <summary>
/// How speech is told from silence, with faster-whisper's <c>VadOptions</c> names and defaults (which suit transcription:
/// long pauses only, wide padding), over Silero VAD's per-window speech probabilities.
/// </summary>
internal sealed record VadOptions
{
    /// <summary>A window whose speech probability is at least this is speech. Default 0.5.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Speech ends below this; null for <see cref="Threshold"/> − 0.15 (at least 0.01), as silero's default.</summary>
    public double? NegThreshold { get; init; }

    /// <summary>Speech shorter than this is dropped. Default 0.</summary>
    public int MinSpeechDurationMs { get; init; }

    /// <summary>Speech longer than this is cut, at a pause of 98 ms or more where there is one. Default unlimited.</summary>
    public double MaxSpeechDurationS { get; init; } = double.PositiveInfinity;

    /// <summary>A pause must last this long to end a stretch of speech. Default 2000 (faster-whisper's).</summary>
    public int MinSilenceDurationMs { get; init; } = 2000;

    /// <summary>Each stretch of speech is widened by this on both sides. Default 400 (faster-whisper's).</summary>
    public int SpeechPadMs { get; init; } = 400;
}
