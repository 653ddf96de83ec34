namespace GrainServe.Speech.Transcription;

/// <summary>A window's segments and how many frames the seek moves by after it.</summary>
internal sealed record WindowSplit(IReadOnlyList<SegmentSpan> Segments, int SeekAdvance);
