using static GrainServe.Speech.Transcription.TranscriptionTestTokens;

namespace GrainServe.Speech.Transcription;

/// <summary>
/// The seek loop over a long recording: the windows whisper would request, the prompt each is conditioned on, the
/// language carried from the first window, segments streamed as they are final, and cancellation.
/// </summary>
public sealed class WhisperTranscriberLoopTests
{
    private readonly FakeTranscriptText _text = new();
    private readonly ScriptedWindowDecoder _decoder = new();

    private WhisperTranscriber Transcriber => new(_decoder, _text, Special);

    [Fact]
    public async Task TranscribeAsync_ThreeWindows_SeeksAndPromptsAsWhisper()
    {
        var first = _text.Tokens(0.0, "Alpha one.", 12.0, 12.5, "Alpha two.", 28.0, 28.4);
        var second = _text.Tokens(0.0, "Beta one.", 10.0, 10.0, "Beta two.", 29.0);
        var third = _text.Tokens(0.0, "Gamma.", 15.0);
        _decoder.Then(first).Then(second).Then(third);

        var transcript = await Transcriber.TranscribeAsync(7500, new TranscribeOptions { Language = "en" });

        // 1: ends on a pair, seek to <|28.00|> (2800). 2: single timestamp ending, a whole window on (5800).
        // 3: the last 1700 frames, no pair, seek to the end.
        Assert.Equal([(0, 3000), (2800, 3000), (5800, 1700)], _decoder.Requests.Select(request => (request.Seek, request.FrameCount)));
        Assert.Equal(
            [(0, 0.0, 12.0), (0, 12.5, 28.0), (2800, 28.0, 38.0), (2800, 38.0, 57.0), (5800, 58.0, 73.0)],
            transcript.Segments.Select(segment => (segment.Seek, segment.Start, segment.End)));

        // Each window is prompted with every kept token before it, timestamps included, the dropped <|28.40|> not.
        var firstKept = first[..^1];
        Assert.Empty(_decoder.Requests[0].Prompt);
        Assert.Equal(firstKept, _decoder.Requests[1].Prompt);
        Assert.Equal([.. firstKept, .. second], _decoder.Requests[2].Prompt);
        Assert.All(_decoder.Requests, request => Assert.Equal(("en", TranscriptionTask.Transcribe, true, 224), (request.Language, request.Task, request.WithTimestamps, request.SampleLength)));

        Assert.Equal(" Alpha one. Alpha two. Beta one. Beta two. Gamma.", transcript.Text);
        Assert.Equal(75.0, transcript.Duration);
    }

    [Fact]
    public async Task TranscribeAsync_InitialPrompt_PromptsTheFirstWindowWithItsLast223TokensAndStaysOutOfTheText()
    {
        var initialPrompt = string.Join(' ', Enumerable.Range(0, 300).Select(i => $"w{i}"));
        var first = _text.Tokens(0.0, "Hello.", 2.0);
        _decoder.Then(first).Then(_text.Tokens(0.0, "Again.", 1.0));

        var transcript = await Transcriber.TranscribeAsync(3100, new TranscribeOptions { InitialPrompt = "  " + initialPrompt + " " });

        var promptTokens = _text.Encode(initialPrompt);
        Assert.Equal(promptTokens[^WhisperTranscriber.MaxPromptTokens..], _decoder.Requests[0].Prompt);
        Assert.Equal(promptTokens.Concat(first).ToArray()[^WhisperTranscriber.MaxPromptTokens..], _decoder.Requests[1].Prompt);
        Assert.Equal(" Hello. Again.", transcript.Text);
    }

    [Fact]
    public async Task TranscribeAsync_NoLanguage_DetectsInTheFirstWindowAndKeepsIt()
    {
        _decoder
            .Then(_text.Tokens(0.0, "Guten Tag.", 2.0), language: "de")
            .Then(_text.Tokens(0.0, "Tschüss.", 1.0), language: "de");

        var transcript = await Transcriber.TranscribeAsync(3100, new TranscribeOptions { Task = TranscriptionTask.Translate });

        Assert.Equal([null, "de"], _decoder.Requests.Select(request => request.Language));
        Assert.All(_decoder.Requests, request => Assert.Equal(TranscriptionTask.Translate, request.Task));
        Assert.Equal(("de", TranscriptionTask.Translate), (transcript.Language, transcript.Task));
    }

    [Fact]
    public async Task TranscribeAsync_OnSegment_GetsEachWindowsSegmentsBeforeTheNextWindowDecodes()
    {
        _decoder
            .Then(_text.Tokens(0.0, "A.", 1.0, 1.0, "B.", 2.0))
            .Then(_text.Tokens(0.0, "C.", 1.0));
        var streamed = new List<TranscriptSegment>();

        var transcript = await Transcriber.TranscribeAsync(3100, new TranscribeOptions(), (segment, _) =>
        {
            streamed.Add(segment);
            _decoder.Log.Add("segment:" + segment.Text);
            return ValueTask.CompletedTask;
        });

        Assert.Equal(["decode@0", "segment: A.", "segment: B.", "decode@3000", "segment: C."], _decoder.Log);
        Assert.Equal(transcript.Segments, streamed);
    }

    [Fact]
    public async Task TranscribeAsync_CancelledWhileStreaming_StopsBeforeTheNextWindow()
    {
        _decoder.Then(_text.Tokens(0.0, "A.", 1.0)).Then(_text.Tokens(0.0, "B.", 1.0));
        using var cancellation = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Transcriber.TranscribeAsync(
            6000,
            new TranscribeOptions(),
            (_, _) =>
            {
                cancellation.Cancel();
                return ValueTask.CompletedTask;
            },
            cancellation.Token));

        Assert.Single(_decoder.Requests);
    }

    [Fact]
    public async Task TranscribeAsync_CancelledBeforeStart_DecodesNothing()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Transcriber.TranscribeAsync(3000, new TranscribeOptions(), cancellationToken: cancellation.Token));

        Assert.Empty(_decoder.Requests);
    }
}
