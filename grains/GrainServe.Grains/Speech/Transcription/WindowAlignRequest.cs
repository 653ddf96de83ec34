namespace GrainServe.Speech.Transcription;

/// <summary>One window's text to align with its audio, for word timestamps.</summary>
/// <param name="Seek">The window's first mel frame, as in <see cref="WindowDecodeRequest.Seek"/>.</param>
/// <param name="FrameCount">The frames of audio in the window (<c>num_frames</c>): the alignment's audio stops there.</param>
/// <param name="Language">The language code the window was decoded in: its start sequence's language token.</param>
/// <param name="Task">Transcribe or translate: its start sequence's task token.</param>
/// <param name="TextTokens">The window's text tokens in order, every segment's, without timestamps or special tokens; at least one.</param>
public sealed record WindowAlignRequest(int Seek, int FrameCount, string Language, TranscriptionTask Task, IReadOnlyList<int> TextTokens);
