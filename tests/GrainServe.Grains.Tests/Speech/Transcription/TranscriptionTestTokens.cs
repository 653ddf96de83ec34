using GrainServe.Speech.Whisper;

namespace GrainServe.Speech.Transcription;

/// <summary>The multilingual vocabulary's special tokens (<c>&lt;|0.00|&gt;</c> is 50364) and timestamp helpers.</summary>
internal static class TranscriptionTestTokens
{
    public static readonly WhisperSpecialTokens Special = WhisperSpecialTokens.After(50257, WhisperLanguages.First(99).ToArray());

    /// <summary>The timestamp token of <paramref name="seconds"/> from the window's start.</summary>
    public static int Ts(double seconds) => Special.TimestampBegin + (int)Math.Round(seconds / WhisperSpecialTokens.SecondsPerTimestamp);
}
