using static GrainServe.Speech.Transcription.TranscriptionTestTokens;

namespace GrainServe.Speech.Transcription;

/// <summary>
/// How one window's tokens become segments and how far the seek moves, against the branches of whisper's
/// <c>transcribe.py</c> seek loop (consecutive timestamps, single timestamp ending, no timestamps).
/// </summary>
public sealed class WhisperTranscriberSegmentTests
{
    private readonly FakeTranscriptText _text = new();
    private readonly ScriptedWindowDecoder _decoder = new();

    private WhisperTranscriber Transcriber => new(_decoder, _text, Special);

    [Fact]
    public async Task TranscribeAsync_ConsecutiveTimestamps_SplitsSegmentsAndSeeksToLastTimestamp()
    {
        _decoder
            .Then(_text.Tokens(0.0, "Hello world.", 2.0, 2.5, "How are you?", 5.0, 5.4))
            .Then(_text.Tokens(0.0, "Fine.", 1.0));

        var transcript = await Transcriber.TranscribeAsync(3500, new TranscribeOptions());

        // The window ends on a pair: the unfinished segment after <|5.40|> is dropped and decoding resumes at 5.00 s.
        Assert.Equal([0, 500], _decoder.Requests.Select(request => request.Seek));
        Assert.Equal([3000, 3000], _decoder.Requests.Select(request => request.FrameCount));
        Assert.Equal(
            [(0, 0.0, 2.0, " Hello world."), (0, 2.5, 5.0, " How are you?"), (500, 5.0, 6.0, " Fine.")],
            transcript.Segments.Select(segment => (segment.Seek, segment.Start, segment.End, segment.Text)));
        Assert.Equal(_text.Tokens(0.0, "Hello world.", 2.0), transcript.Segments[0].Tokens);
        Assert.Equal(_text.Tokens(2.5, "How are you?", 5.0), transcript.Segments[1].Tokens);
        Assert.Equal([0, 1, 2], transcript.Segments.Select(segment => segment.Id));
        Assert.Equal(" Hello world. How are you? Fine.", transcript.Text);
    }

    [Fact]
    public async Task TranscribeAsync_SingleTimestampEnding_SeeksPastTheWholeWindow()
    {
        _decoder
            .Then(_text.Tokens(0.0, "One.", 2.0, 2.5, "Two.", 4.0))
            .Then(_text.Tokens(0.0, "Three.", 3.0));

        var transcript = await Transcriber.TranscribeAsync(4500, new TranscribeOptions());

        // Text then one timestamp: nothing is said after 4.00 s, so the next window starts at the window's end.
        Assert.Equal([0, 3000], _decoder.Requests.Select(request => request.Seek));
        Assert.Equal([3000, 1500], _decoder.Requests.Select(request => request.FrameCount));
        Assert.Equal(
            [(0.0, 2.0, " One."), (2.5, 4.0, " Two."), (30.0, 33.0, " Three.")],
            transcript.Segments.Select(segment => (segment.Start, segment.End, segment.Text)));
    }

    [Fact]
    public async Task TranscribeAsync_TextCutOffAfterAPair_DropsTheUnfinishedTextAndSeeksToItsStart()
    {
        _decoder
            .Then(_text.Tokens(0.0, "Done here.", 2.0, 2.5, "but this runs on"))
            .Then(_text.Tokens(0.0, "but this runs on.", 3.0));

        var transcript = await Transcriber.TranscribeAsync(3200, new TranscribeOptions());

        Assert.Equal([0, 200], _decoder.Requests.Select(request => request.Seek));
        Assert.Equal([" Done here.", " but this runs on."], transcript.Segments.Select(segment => segment.Text));

        // Only the finished segment's tokens are kept, so only they prompt the next window.
        Assert.Equal(_text.Tokens(0.0, "Done here.", 2.0), _decoder.Requests[1].Prompt);
    }

    [Fact]
    public async Task TranscribeAsync_OneTimestampAndNoPair_EndsTheSegmentThereAndSeeksPastTheWindow()
    {
        _decoder.Then(_text.Tokens(0.0, "Short clip.", 4.2));

        var transcript = await Transcriber.TranscribeAsync(1000, new TranscribeOptions());

        var segment = Assert.Single(transcript.Segments);
        Assert.Equal((0.0, 4.2, " Short clip."), (segment.Start, segment.End, segment.Text));
        Assert.Single(_decoder.Requests);
    }

    [Fact]
    public async Task TranscribeAsync_WithoutTimestamps_MakesEachWindowOneSegmentOfItsLength()
    {
        _decoder
            .Then(_text.Tokens("First window."))
            .Then(_text.Tokens("Second window."));

        var transcript = await Transcriber.TranscribeAsync(4250, new TranscribeOptions { WithoutTimestamps = true });

        Assert.All(_decoder.Requests, request => Assert.False(request.WithTimestamps));
        Assert.Equal([0, 3000], _decoder.Requests.Select(request => request.Seek));
        Assert.Equal(
            [(0.0, 30.0, " First window."), (30.0, 42.5, " Second window.")],
            transcript.Segments.Select(segment => (segment.Start, segment.End, segment.Text)));
        Assert.Equal(42.5, transcript.Duration);
    }

    [Fact]
    public async Task TranscribeAsync_InstantaneousSegment_IsKeptClearedAndTheSeekStillMoves()
    {
        // A pair at <|0.00|> would seek by 0 frames; whisper's timestamp rules prevent it, the loop must not hang.
        _decoder
            .Then([Ts(0.0), Ts(0.0)])
            .Then(_text.Tokens(0.0, "After.", 1.0));

        var transcript = await Transcriber.TranscribeAsync(3100, new TranscribeOptions());

        Assert.Equal([0, 3000], _decoder.Requests.Select(request => request.Seek));
        Assert.Equal(2, transcript.Segments.Count);
        Assert.Equal((0.0, 0.0, "", 0), (transcript.Segments[0].Start, transcript.Segments[0].End, transcript.Segments[0].Text, transcript.Segments[0].Tokens.Count));
        Assert.Equal(" After.", transcript.Segments[1].Text);
        Assert.Equal(" After.", transcript.Text);
    }

    [Fact]
    public async Task TranscribeAsync_SegmentResult_CarriesTheWindowsDecodeNumbers()
    {
        _decoder.Then(_text.Tokens(0.0, "Numbers.", 1.0), avgLogprob: -0.3125, noSpeechProb: 0.0625);

        var transcript = await Transcriber.TranscribeAsync(100, new TranscribeOptions());

        var segment = Assert.Single(transcript.Segments);
        Assert.Equal(0.0, segment.Temperature);
        Assert.Equal(-0.3125, segment.AvgLogprob);
        Assert.Equal(0.0625, segment.NoSpeechProb);
        Assert.Equal(CompressionRatio.Of("Numbers."), segment.CompressionRatio);
        Assert.Empty(segment.Words);
        Assert.Equal((TranscriptionTask.Transcribe, "en", 1.0), (transcript.Task, transcript.Language, transcript.Duration));
    }

    [Fact]
    public async Task TranscribeAsync_NoFrames_DecodesNothing()
    {
        var transcript = await Transcriber.TranscribeAsync(0, new TranscribeOptions { Language = "de" });

        Assert.Empty(_decoder.Requests);
        Assert.Empty(transcript.Segments);
        Assert.Equal(("", "de", 0.0), (transcript.Text, transcript.Language, transcript.Duration));
    }
}
