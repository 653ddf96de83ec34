namespace GrainServe.Speech.Transcription;

/// <summary>The result of transcribing a whole recording: what whisper's <c>transcribe()</c> returns, plus task and duration.</summary>
/// <param name="Task">Whether the text is a transcription or an English translation.</param>
/// <param name="Language">The language code (<c>en</c>, …): the one asked for, or the one detected in the first window.</param>
/// <param name="Duration">The audio's length in seconds: its mel frames / 100.</param>
/// <param name="Text">
/// The whole text as whisper decodes it, from every segment's tokens with the initial prompt left out; it keeps
/// Whisper's leading space, which the output formats trim.
/// </param>
/// <param name="Segments">The segments in order, cleared ones included as whisper keeps them.</param>
public sealed record Transcript(
    TranscriptionTask Task,
    string Language,
    double Duration,
    string Text,
    IReadOnlyList<TranscriptSegment> Segments);
