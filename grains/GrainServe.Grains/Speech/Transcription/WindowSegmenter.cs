using GrainServe.Speech.Whisper;

namespace GrainServe.Speech.Transcription;

/// <summary>
/// Cuts one window's sampled tokens into segments at its timestamp tokens and says how far to seek, as the body of
/// whisper's seek loop does (<c>transcribe.py</c>, from <c>timestamp_tokens</c> to <c>seek +=</c>).
/// </summary>
internal static class WindowSegmenter
{
    /// <summary>
    /// The segments of a window of <paramref name="windowFrames"/> frames and the frames to advance the seek by.
    /// Two consecutive timestamps close a segment and open the next. A window ending in text then one timestamp has
    /// no speech after it, so the seek moves past the whole window; a window ending in a pair, or in text cut off by
    /// the sample limit, seeks to its last timestamp so the unfinished speech is decoded again in the next window.
    /// </summary>
    public static WindowSplit Split(IReadOnlyList<int> tokens, int windowFrames, WhisperSpecialTokens special)
    {
        var count = tokens.Count;
        var consecutive = new List<int>();
        for (var i = 1; i < count; i++)
        {
            if (special.IsTimestamp(tokens[i - 1]) && special.IsTimestamp(tokens[i]))
            {
                consecutive.Add(i);
            }
        }

        var singleTimestampEnding = count >= 2 && !special.IsTimestamp(tokens[count - 2]) && special.IsTimestamp(tokens[count - 1]);
        var spans = new List<SegmentSpan>();
        if (consecutive.Count == 0)
        {
            // One segment for the whole window; it ends at its last timestamp when there is one other than <|0.00|>.
            var endFrame = windowFrames;
            for (var i = count - 1; i >= 0; i--)
            {
                if (special.IsTimestamp(tokens[i]))
                {
                    endFrame = tokens[i] == special.TimestampBegin ? windowFrames : Frames(tokens[i], special);
                    break;
                }
            }

            spans.Add(new SegmentSpan(0, endFrame, 0, count));
            return new WindowSplit(spans, windowFrames, singleTimestampEnding);
        }

        if (singleTimestampEnding)
        {
            consecutive.Add(count);
        }

        var lastSlice = 0;
        foreach (var slice in consecutive)
        {
            // A slice ends on a timestamp and, but for a first slice that opens with text, starts on one: whisper
            // would read that text token as a (negative) timestamp; the window's start is what it means.
            var first = tokens[lastSlice];
            var startFrame = special.IsTimestamp(first) ? Frames(first, special) : 0;
            spans.Add(new SegmentSpan(startFrame, Frames(tokens[slice - 1], special), lastSlice, slice - lastSlice));
            lastSlice = slice;
        }

        var advance = singleTimestampEnding ? windowFrames : Frames(tokens[lastSlice - 1], special);

        // Whisper's timestamp rules keep the last timestamp after <|0.00|>; a decoder that broke them would make the
        // loop decode the same window forever, so a window that would not move the seek is passed over whole.
        return new WindowSplit(spans, advance > 0 ? advance : windowFrames, singleTimestampEnding);
    }

    private static int Frames(int timestamp, WhisperSpecialTokens special) =>
        (timestamp - special.TimestampBegin) * WhisperTranscriber.FramesPerTimestamp;
}
