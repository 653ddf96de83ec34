using GrainServe.Speech.Audio.Vad;
using GrainServe.Speech.Transcription;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// faster-whisper's <c>restore_speech_timestamps</c>: a transcript of the joined speech given the times of the original
/// recording. A word keeps to the stretch its middle falls in (so a word never spans a cut); a segment with words runs
/// from its first word's start to its last word's end, one without from its own start and end mapped.
/// </summary>
internal static class VadTranscripts
{
    public static Transcript Restore(Transcript transcript, SpeechTimeline timeline, double originalDuration)
    {
        var segments = transcript.Segments.Select(segment =>
        {
            if (segment.Words.Count == 0)
            {
                return segment with { Start = timeline.ToOriginal(segment.Start), End = timeline.ToOriginal(segment.End, isEnd: true) };
            }

            var words = segment.Words.Select(word =>
            {
                var chunk = timeline.ChunkIndex((word.Start + word.End) / 2);
                return word with { Start = timeline.ToOriginal(word.Start, chunk: chunk), End = timeline.ToOriginal(word.End, chunk: chunk) };
            }).ToArray();
            return segment with { Start = words[0].Start, End = words[^1].End, Words = words };
        }).ToArray();
        return transcript with { Duration = originalDuration, Segments = segments };
    }
}
