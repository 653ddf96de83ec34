namespace GrainServe.Speech.Transcription;

/// <summary>
/// Word timestamps as whisper's <c>timing.py</c> computes them for one window: the alignment's path gives each text
/// token the time its row first reaches (<c>find_alignment</c>), words are formed from the tokens and their
/// punctuation merged (<c>merge_punctuations</c>), and <c>add_word_timestamps</c>' heuristics trim words that run
/// long at sentence ends and across pauses, and reconcile each segment's edges with its words.
/// </summary>
internal static class WordTimestamps
{
    /// <summary>Whisper's default <c>prepend_punctuations</c>: joined to the word after them.</summary>
    public const string PrependPunctuations = "\"'“¿([{-";

    /// <summary>Whisper's default <c>append_punctuations</c>: joined to the word before them.</summary>
    public const string AppendPunctuations = "\"'.。,，!！?？:：”)]}、";

    /// <summary>Encoder positions per second: the alignment's time unit (20 ms).</summary>
    public const int PositionsPerSecond = 50;

    private const string SentenceEndMarks = ".。!！?？";

    /// <summary>
    /// <c>find_alignment</c> from its matrix on: the words of <paramref name="textTokens"/> with their start and end in
    /// seconds from the window's start, the closing <c>&lt;|endoftext|&gt;</c> left out.
    /// </summary>
    /// <param name="matrix">The <see cref="AlignmentMatrix"/>: one row per text token plus one, one column per encoder position.</param>
    /// <param name="textTokens">The window's text tokens (below <paramref name="endOfText"/>), in order.</param>
    /// <param name="text">Decodes tokens, to split them into words.</param>
    /// <param name="endOfText"><c>&lt;|endoftext|&gt;</c>.</param>
    /// <param name="language">The window's language code: languages written without spaces split per character.</param>
    public static List<WordTiming> FindAlignment(double[,] matrix, IReadOnlyList<int> textTokens, ITranscriptText text, int endOfText, string language)
    {
        if (textTokens.Count == 0)
        {
            return [];
        }

        int rows = matrix.GetLength(0), columns = matrix.GetLength(1);
        var negated = new double[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                negated[r, c] = -matrix[r, c];
            }
        }

        var (textIndices, timeIndices) = DynamicTimeWarping.Path(negated);
        var (words, wordTokens) = WordSplitter.Split([.. textTokens, endOfText], text, endOfText, language);
        if (wordTokens.Count <= 1)
        {
            return [];
        }

        // The time of each text row is where the path first enters it.
        var jumpTimes = new List<double>();
        for (var i = 0; i < textIndices.Length; i++)
        {
            if (i == 0 || textIndices[i] != textIndices[i - 1])
            {
                jumpTimes.Add((double)timeIndices[i] / PositionsPerSecond);
            }
        }

        var alignment = new List<WordTiming>(words.Count - 1);
        var boundary = 0;
        for (var w = 0; w < words.Count - 1; w++)
        {
            var next = boundary + wordTokens[w].Count;
            alignment.Add(new WordTiming(words[w], wordTokens[w], jumpTimes[boundary], jumpTimes[next]));
            boundary = next;
        }

        return alignment;
    }

    /// <summary>
    /// <c>merge_punctuations</c>: a word that is an opening mark (after a space) joins the word after it, and one that
    /// is a closing mark joins the word before it; the emptied words stay, with no text and no tokens.
    /// </summary>
    public static void MergePunctuations(List<WordTiming> alignment, string prepended = PrependPunctuations, string appended = AppendPunctuations)
    {
        for (int i = alignment.Count - 2, j = alignment.Count - 1; i >= 0; i--)
        {
            var previous = alignment[i];
            var following = alignment[j];
            if (previous.Word.StartsWith(' ') && prepended.Contains(previous.Word.Trim(), StringComparison.Ordinal))
            {
                following.Word = previous.Word + following.Word;
                following.Tokens = [.. previous.Tokens, .. following.Tokens];
                previous.Word = string.Empty;
                previous.Tokens = [];
            }
            else
            {
                j = i;
            }
        }

        for (int i = 0, j = 1; j < alignment.Count; j++)
        {
            var previous = alignment[i];
            var following = alignment[j];
            if (!previous.Word.EndsWith(' ') && appended.Contains(following.Word, StringComparison.Ordinal))
            {
                previous.Word += following.Word;
                previous.Tokens = [.. previous.Tokens, .. following.Tokens];
                following.Word = string.Empty;
                following.Tokens = [];
            }
            else
            {
                i = j;
            }
        }
    }

    /// <summary>
    /// <c>add_word_timestamps</c> for one window's segments: each segment gets its words (times in seconds from the
    /// audio's start, rounded to 10 ms), and its start and end move to its words' unless a word runs long.
    /// </summary>
    /// <param name="segments">The window's segments, in order; their text tokens together are the alignment's.</param>
    /// <param name="alignment">The window's words from <see cref="FindAlignment"/>.</param>
    /// <param name="timeOffset">The window's start in seconds.</param>
    /// <param name="lastSpeechTimestamp">Where speech last ended before this window, in seconds.</param>
    public static void Add(IReadOnlyList<Segment> segments, List<WordTiming> alignment, double timeOffset, double lastSpeechTimestamp)
    {
        if (segments.Count == 0)
        {
            return;
        }

        var durations = alignment.Select(t => t.End - t.Start).Where(d => d != 0).Order().ToArray();
        var medianDuration = durations.Length == 0 ? 0.0
            : durations.Length % 2 == 1 ? durations[durations.Length / 2]
            : (durations[(durations.Length / 2) - 1] + durations[durations.Length / 2]) / 2;
        medianDuration = Math.Min(0.7, medianDuration);
        var maxDuration = medianDuration * 2;

        // Words at sentence boundaries are no longer than twice the median word (whisper's hack until a VAD-based cut).
        if (durations.Length > 0)
        {
            for (var i = 1; i < alignment.Count; i++)
            {
                if (alignment[i].End - alignment[i].Start > maxDuration)
                {
                    if (SentenceEndMarks.Contains(alignment[i].Word, StringComparison.Ordinal))
                    {
                        alignment[i].End = alignment[i].Start + maxDuration;
                    }
                    else if (SentenceEndMarks.Contains(alignment[i - 1].Word, StringComparison.Ordinal))
                    {
                        alignment[i].Start = alignment[i].End - maxDuration;
                    }
                }
            }
        }

        MergePunctuations(alignment);
        var wordIndex = 0;
        foreach (var segment in segments)
        {
            var savedTokens = 0;
            var words = segment.Words;
            while (wordIndex < alignment.Count && savedTokens < segment.TextTokens.Count)
            {
                var timing = alignment[wordIndex++];
                if (timing.Word.Length > 0)
                {
                    words.Add(new TranscriptWord(timing.Word, Math.Round(timeOffset + timing.Start, 2), Math.Round(timeOffset + timing.End, 2)));
                }

                savedTokens += timing.Tokens.Count;
            }

            if (words.Count == 0)
            {
                continue;
            }

            // The first and second word after a pause are no longer than twice the median word.
            if (words[0].End - lastSpeechTimestamp > medianDuration * 4
                && (words[0].End - words[0].Start > maxDuration || (words.Count > 1 && words[1].End - words[0].Start > maxDuration * 2)))
            {
                if (words.Count > 1 && words[1].End - words[1].Start > maxDuration)
                {
                    var cut = Math.Max(words[1].End / 2, words[1].End - maxDuration);
                    words[0] = words[0] with { End = cut };
                    words[1] = words[1] with { Start = cut };
                }

                words[0] = words[0] with { Start = Math.Max(0, words[0].End - maxDuration) };
            }

            // The segment's own start wins over a first word that runs long, else the first word's start is the segment's.
            // whisper keeps the word at least a median word long there (min(end - median, start)), which can start it
            // before its segment; it is held inside the segment instead, so every word lies within its segment.
            if (segment.Start < words[0].End && segment.Start - 0.5 > words[0].Start)
            {
                words[0] = words[0] with { Start = Math.Max(segment.Start, Math.Max(0, Math.Min(words[0].End - medianDuration, segment.Start))) };
            }
            else
            {
                segment.Start = words[0].Start;
            }

            // Likewise at the end: whisper's max(start + median, end) is held at the segment's end.
            if (segment.End > words[^1].Start && segment.End + 0.5 < words[^1].End)
            {
                words[^1] = words[^1] with { End = Math.Min(segment.End, Math.Max(words[^1].Start + medianDuration, segment.End)) };
            }
            else
            {
                segment.End = words[^1].End;
            }

            lastSpeechTimestamp = segment.End;
        }
    }

    /// <summary>A segment as the word pass sees it: its edges, which the pass may move, its text tokens, and the words it gets.</summary>
    internal sealed class Segment(double start, double end, IReadOnlyList<int> textTokens)
    {
        public double Start { get; set; } = start;

        public double End { get; set; } = end;

        public IReadOnlyList<int> TextTokens { get; } = textTokens;

        public List<TranscriptWord> Words { get; } = [];
    }
}
