namespace GrainServe.Speech.Transcription;

/// <summary>One segment of a window: its time span in frames from the window's start and its tokens' range.</summary>
internal readonly record struct SegmentSpan(int StartFrame, int EndFrame, int TokenStart, int TokenCount);
