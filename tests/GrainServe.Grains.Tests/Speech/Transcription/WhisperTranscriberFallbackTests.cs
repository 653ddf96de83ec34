using static GrainServe.Speech.Transcription.TranscriptionTestTokens;

namespace GrainServe.Speech.Transcription;

/// <summary>
/// <c>decode_with_fallback</c> (compression ratio 2.4, log probability -1.0, no-speech 0.6), the silent-window skip,
/// and the prompt reset after a window decoded above temperature 0.5.
/// </summary>
public sealed class WhisperTranscriberFallbackTests
{
    private readonly FakeTranscriptText _text = new();
    private readonly ScriptedWindowDecoder _decoder = new();

    private WhisperTranscriber Transcriber => new(_decoder, _text, Special);

    private string Repeated => string.Join(' ', Enumerable.Repeat("the", 40));

    [Fact]
    public async Task TranscribeAsync_RepetitiveOutput_DecodesAgainHotterAndKeepsConditioning()
    {
        var retried = _text.Tokens(0.0, "Real words here.", 3.0);
        _decoder
            .Then(_text.Tokens(0.0, Repeated, 30.0))
            .Then(retried)
            .Then(_text.Tokens(0.0, "Next.", 1.0));

        var transcript = await Transcriber.TranscribeAsync(3100, new TranscribeOptions { BeamSize = 5, BestOf = 5 });

        Assert.True(CompressionRatio.Of(Repeated) > 2.4);
        Assert.Equal([(0, 0.0, 5, null), (0, 0.2, null, 5), (3000, 0.0, 5, null)],
            _decoder.Requests.Select(request => (request.Seek, request.Temperature, request.BeamSize, request.BestOf)));
        Assert.Equal(_decoder.Requests[0].Prompt, _decoder.Requests[1].Prompt);

        var segment = transcript.Segments[0];
        Assert.Equal((" Real words here.", 0.2, CompressionRatio.Of("Real words here.")), (segment.Text, segment.Temperature, segment.CompressionRatio));

        // 0.2 is not above 0.5: the next window still conditions on this one.
        Assert.Equal(retried, _decoder.Requests[2].Prompt);
    }

    [Fact]
    public async Task TranscribeAsync_LowLogprob_FallsBackUntilItPassesAndResetsThePromptAbove05()
    {
        var third = _text.Tokens(0.0, "Three.", 1.0);
        var second = _text.Tokens(0.0, "Two.", 1.0);
        _decoder
            .Then(_text.Tokens(0.0, "Mumble.", 1.0), avgLogprob: -1.5)
            .Then(_text.Tokens(0.0, "Mumble.", 1.0), avgLogprob: -1.2)
            .Then(_text.Tokens(0.0, "Mumble.", 1.0), avgLogprob: -1.01)
            .Then(_text.Tokens(0.0, "One.", 1.0), avgLogprob: -0.4)
            .Then(second)
            .Then(third);

        var transcript = await Transcriber.TranscribeAsync(9000, new TranscribeOptions());

        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.0, 0.0], _decoder.Requests.Select(request => request.Temperature));
        Assert.Equal([0.6, 0.0, 0.0], transcript.Segments.Select(segment => segment.Temperature));

        // Window one ended at 0.6: window two starts an empty prompt, and window three is conditioned on two alone.
        Assert.Empty(_decoder.Requests[4].Prompt);
        Assert.Equal(second, _decoder.Requests[5].Prompt);
        Assert.Equal(" One. Two. Three.", transcript.Text);
    }

    [Fact]
    public async Task TranscribeAsync_EveryTemperatureFails_KeepsTheLastResult()
    {
        foreach (var _ in TranscribeOptions.DefaultTemperatures)
        {
            _decoder.Then(_text.Tokens(0.0, Repeated, 30.0), avgLogprob: -2.0);
        }

        var transcript = await Transcriber.TranscribeAsync(3000, new TranscribeOptions());

        Assert.Equal(TranscribeOptions.DefaultTemperatures, _decoder.Requests.Select(request => request.Temperature));
        Assert.Equal(1.0, Assert.Single(transcript.Segments).Temperature);
    }

    [Fact]
    public async Task TranscribeAsync_ThresholdsOff_NeverFallsBack()
    {
        _decoder.Then(_text.Tokens(0.0, Repeated, 30.0), avgLogprob: -3.0, noSpeechProb: 0.99);

        var transcript = await Transcriber.TranscribeAsync(
            3000, new TranscribeOptions { CompressionRatioThreshold = null, LogprobThreshold = null, NoSpeechThreshold = null });

        Assert.Single(_decoder.Requests);
        Assert.Single(transcript.Segments);
    }

    [Fact]
    public async Task TranscribeAsync_SilentWindow_IsSkippedWithoutFallback()
    {
        var speech = _text.Tokens(0.0, "Speech at last.", 2.0);
        _decoder
            .Then(_text.Tokens(0.0, "Hmm.", 1.0), avgLogprob: -1.5, noSpeechProb: 0.9)
            .Then(speech);

        var transcript = await Transcriber.TranscribeAsync(4000, new TranscribeOptions());

        // Improbable text where <|nospeech|> is likely: silence, so no hotter retry and no segment.
        Assert.Equal([(0, 0.0), (3000, 0.0)], _decoder.Requests.Select(request => (request.Seek, request.Temperature)));
        var segment = Assert.Single(transcript.Segments);
        Assert.Equal((0, 3000, 30.0, 32.0, " Speech at last."), (segment.Id, segment.Seek, segment.Start, segment.End, segment.Text));
        Assert.Empty(_decoder.Requests[1].Prompt);
        Assert.Equal(" Speech at last.", transcript.Text);
    }

    [Fact]
    public async Task TranscribeAsync_LikelyNoSpeechButConfidentText_IsKept()
    {
        _decoder.Then(_text.Tokens(0.0, "Quiet but clear.", 2.0), avgLogprob: -0.5, noSpeechProb: 0.9);

        var transcript = await Transcriber.TranscribeAsync(3000, new TranscribeOptions());

        Assert.Equal(" Quiet but clear.", Assert.Single(transcript.Segments).Text);
    }

    [Fact]
    public async Task TranscribeAsync_NotConditioningOnPreviousText_PromptsOnlyTheFirstWindowWithTheInitialPrompt()
    {
        _decoder.Then(_text.Tokens(0.0, "One.", 1.0)).Then(_text.Tokens(0.0, "Two.", 1.0));

        await Transcriber.TranscribeAsync(3100, new TranscribeOptions { ConditionOnPreviousText = false, InitialPrompt = "Names" });

        Assert.Equal(_text.Encode("Names"), _decoder.Requests[0].Prompt);
        Assert.Empty(_decoder.Requests[1].Prompt);
    }

    [Fact]
    public async Task TranscribeAsync_NoTemperatures_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Transcriber.TranscribeAsync(3000, new TranscribeOptions { Temperatures = [] }));
    }
}
