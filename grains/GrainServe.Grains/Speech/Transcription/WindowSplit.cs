namespace GrainServe.Speech.Transcription;

/// <summary>A window's segments and how many frames the seek moves by after it.</summary>
/// <param name="Segments">The segments in order.</param>
/// <param name="SeekAdvance">Frames to move the seek by.</param>
/// <param name="SingleTimestampEnding">Whether the window ends in text then one timestamp (no speech after it): word timestamps then leave the seek as it is.</param>
internal sealed record WindowSplit(IReadOnlyList<SegmentSpan> Segments, int SeekAdvance, bool SingleTimestampEnding = false);
