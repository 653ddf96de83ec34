namespace GrainServe.Speech.Transcription;

/// <summary>A word with its time span, as OpenAI's <c>verbose_json</c> lists them.</summary>
/// <param name="Word">The word's text, with its leading space as Whisper's tokens carry it.</param>
/// <param name="Start">The word's start, in seconds from the start of the audio.</param>
/// <param name="End">The word's end, in seconds from the start of the audio.</param>
public sealed record TranscriptWord(string Word, double Start, double End);
