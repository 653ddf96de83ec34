namespace GrainServe.Speech.Transcription;

/// <summary>What Whisper does with the speech: the <c>task</c> of whisper's <c>DecodingOptions</c>.</summary>
public enum TranscriptionTask
{
    /// <summary>X→X speech recognition: text in the spoken language (<c>&lt;|transcribe|&gt;</c>).</summary>
    Transcribe,

    /// <summary>X→English speech translation (<c>&lt;|translate|&gt;</c>).</summary>
    Translate,
}
