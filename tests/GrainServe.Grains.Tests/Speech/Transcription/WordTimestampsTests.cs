namespace GrainServe.Speech.Transcription;

/// <summary>Word splitting, punctuation merging and word times as whisper's <c>timing.py</c> and tokenizer make them.</summary>
public sealed class WordTimestampsTests
{
    private const int EndOfText = 50256;

    [Fact]
    public void Split_AtSpacesAndPunctuation_AsSplitTokensOnSpaces()
    {
        var text = new FakeTranscriptText();
        int[] tokens = [.. new[] { " Hello", ",", " wor", "ld", "!", " it", "'s" }.Select(text.Id), EndOfText];

        var (words, groups) = WordSplitter.Split(tokens, text, EndOfText, "en");

        // "'s" is not a substring of string.punctuation, so it joins " it"; "," and "!" are, so each stands alone; the
        // end token is a word of its own.
        Assert.Equal([" Hello", ",", " world", "!", " it's", ""], words);
        Assert.Equal([1, 1, 2, 1, 2, 1], groups.Select(g => g.Count));
        Assert.Equal([EndOfText], groups[^1]);
    }

    [Fact]
    public void Split_ForALanguageWithoutSpaces_KeepsEachCharacterGroup()
    {
        var text = new FakeTranscriptText();
        int[] tokens = [text.Id("你"), text.Id("好"), EndOfText];

        var (words, _) = WordSplitter.Split(tokens, text, EndOfText, "zh");

        Assert.Equal(["你", "好", ""], words);
    }

    [Fact]
    public void MergePunctuations_JoinsOpeningMarksForwardAndClosingMarksBack()
    {
        List<WordTiming> alignment = [Word(" Hello", 1), Word(",", 2), Word(" (", 3), Word("world", 4), Word(")", 5), Word(".", 6)];

        WordTimestamps.MergePunctuations(alignment);

        Assert.Equal([" Hello,", "", "", " (world).", "", ""], alignment.Select(w => w.Word));
        Assert.Equal([1, 2], alignment[0].Tokens);
        Assert.Equal([3, 4, 5, 6], alignment[3].Tokens);
    }

    [Fact]
    public void FindAlignment_TakesEachWordsTimeFromWhereThePathEntersItsFirstToken()
    {
        var text = new FakeTranscriptText();
        int[] tokens = [text.Id(" Hello"), text.Id(" wor"), text.Id("ld")];

        // Rows: the three text tokens and the end token; the path holds each row for two frames (20 ms each).
        var matrix = new double[4, 8];
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 8; c++)
            {
                matrix[r, c] = c / 2 == r ? 1 : -1;
            }
        }

        var words = WordTimestamps.FindAlignment(matrix, tokens, text, EndOfText, "en");

        Assert.Equal([" Hello", " world"], words.Select(w => w.Word));
        Assert.Equal([0.0, 0.04], words.Select(w => w.Start));
        Assert.Equal([0.04, 0.12], words.Select(w => w.End));
    }

    [Fact]
    public void Add_SharesWordsOutPerSegmentInAudioTime_AndMovesSegmentEdgesToThem()
    {
        List<WordTiming> alignment = [Word(" Hello", 1, 0.10, 0.40), Word(",", 2, 0.40, 0.40), Word(" world", 3, 0.50, 0.90), Word(" again", 4, 1.00, 1.30)];
        var first = new WordTimestamps.Segment(10.0, 11.0, [1, 2, 3]);
        var second = new WordTimestamps.Segment(11.0, 12.0, [4]);

        WordTimestamps.Add([first, second], alignment, timeOffset: 10.0, lastSpeechTimestamp: 9.9);

        Assert.Equal([new TranscriptWord(" Hello,", 10.1, 10.4), new TranscriptWord(" world", 10.5, 10.9)], first.Words);
        Assert.Equal([new TranscriptWord(" again", 11.0, 11.3)], second.Words);
        Assert.Equal((10.1, 10.9), (first.Start, first.End));
        Assert.Equal((11.0, 11.3), (second.Start, second.End));
    }

    [Fact]
    public void Add_AFirstWordRunningLongBeforeItsSegment_IsHeldAtTheSegmentsStart()
    {
        // The median word is 0.3 s; " Hello" starts 0.7 s before its segment, more than whisper's 0.5 s allowance, so the
        // segment's start wins. whisper would start the word at min(end - median, start) = 10.6, before the segment at
        // 10.7; it is held at 10.7.
        List<WordTiming> alignment = [Word(" Hello", 1, 0.0, 0.9), Word(" world", 2, 0.9, 1.2), Word(" again", 3, 1.2, 1.5)];
        var segment = new WordTimestamps.Segment(10.7, 11.5, [1, 2, 3]);

        WordTimestamps.Add([segment], alignment, timeOffset: 10.0, lastSpeechTimestamp: 10.0);

        Assert.Equal(new TranscriptWord(" Hello", 10.7, 10.9), segment.Words[0]);
        Assert.Equal(10.7, segment.Start);
    }

    [Fact]
    public void MedianFilter_ReflectsAtTheEdges_AndLeavesAShortRowAlone()
    {
        var output = new double[5];
        AlignmentMatrix.MedianFilter([1, 5, 2, 8, 3], output, 3);
        Assert.Equal([5, 2, 5, 3, 8], output);

        var shortRow = new double[3];
        AlignmentMatrix.MedianFilter([3, 1, 2], shortRow, 7);
        Assert.Equal([3, 1, 2], shortRow);
    }

    private static WordTiming Word(string word, int token, double start = 0, double end = 0) => new(word, [token], start, end);
}
