using System.Text;
using GrainServe.Contracts;
using GrainServe.Speech.Transcription;

namespace GrainServe.Speech.Whisper;

public sealed class WhisperRequestTests
{
    private static readonly byte[] Audio = Encoding.ASCII.GetBytes("RIFF....WAVE");

    private static InferenceRequest Request(Dictionary<string, string>? parameters = null, params byte[][] elements) =>
        new(null, null, [new InferTensor("audio", InferDatatype.Bytes, [elements.Length == 0 ? 1 : elements.Length], BytesElements.Pack(elements.Length == 0 ? [Audio] : elements))], null)
        {
            Parameters = parameters,
        };

    [Fact]
    public void Parse_Defaults_AreWhispersWithPlainTextOut()
    {
        var (request, error) = WhisperRequest.Parse(Request(), multilingual: true);

        Assert.Null(error);
        Assert.Equal(Audio, request!.Audio.ToArray());
        Assert.Null(request.Options.Language);
        Assert.Equal(TranscriptionTask.Transcribe, request.Options.Task);
        Assert.Equal(TranscribeOptions.DefaultTemperatures, request.Options.Temperatures);
        Assert.Equal("text", request.ResponseFormat);
        Assert.Null(request.Seed);
    }

    [Fact]
    public void Parse_OpenAiOptions_BecomeWhispersOptions()
    {
        var (request, error) = WhisperRequest.Parse(
            Request(new() { ["language"] = "German", ["task"] = "translate", ["prompt"] = "Hallo", ["temperature"] = "0.4", ["response_format"] = "srt", ["seed"] = "-7", ["max_tokens"] = "32" }),
            multilingual: true);

        Assert.Null(error);
        Assert.Equal("de", request!.Options.Language);
        Assert.Equal(TranscriptionTask.Translate, request.Options.Task);
        Assert.Equal("Hallo", request.Options.InitialPrompt);
        Assert.Equal([0.4, 0.6, 0.8, 1.0], request.Options.Temperatures);
        Assert.Equal("srt", request.ResponseFormat);
        Assert.Equal(-7, request.Seed);
        Assert.Equal(32, request.Options.SampleLength);
    }

    [Fact]
    public void Parse_BeamSizeAndBestOf_TakeTheRequestsElseTheModelsDefault()
    {
        var given = WhisperRequest.Parse(Request(new() { ["beam_size"] = "4", ["best_of"] = "3" }), multilingual: false, defaultBeamSize: 5).Request!.Options;
        var defaulted = WhisperRequest.Parse(Request(), multilingual: false, defaultBeamSize: 5, defaultBestOf: 2).Request!.Options;
        var none = WhisperRequest.Parse(Request(), multilingual: false).Request!.Options;

        Assert.Equal((4, 3), (given.BeamSize, given.BestOf));
        Assert.Equal((5, 2), (defaulted.BeamSize, defaulted.BestOf));
        Assert.Equal((null, null), (none.BeamSize, none.BestOf));
    }

    [Theory]
    [InlineData("word", true)]
    [InlineData("segment,word", true)]
    [InlineData("segment", false)]
    public void Parse_TimestampGranularities_AsksForWordsOnlyWithWord(string granularities, bool words)
    {
        var (request, error) = WhisperRequest.Parse(Request(new() { ["timestamp_granularities"] = granularities }), multilingual: false);

        Assert.Null(error);
        Assert.Equal(words, request!.Options.WordTimestamps);
    }

    [Theory]
    [InlineData("0", new[] { 0.3 })]
    [InlineData("0.35", new[] { 0.3, 0.65, 1.0 })]
    public void Parse_TemperatureIncrement_SetsTheFallbackSteps(string increment, double[] expected)
    {
        var (request, _) = WhisperRequest.Parse(Request(new() { ["temperature"] = "0.3", ["temperature_increment_on_fallback"] = increment }), multilingual: true);

        Assert.Equal(expected, request!.Options.Temperatures);
    }

    [Fact]
    public void Parse_EnglishOnlyModel_PinsEnglishAndRefusesOtherLanguagesAndTranslation()
    {
        Assert.Equal("en", WhisperRequest.Parse(Request(), multilingual: false).Request!.Options.Language);
        Assert.Contains("English-only", WhisperRequest.Parse(Request(new() { ["language"] = "fr" }), multilingual: false).Error);
        Assert.Contains("cannot translate", WhisperRequest.Parse(Request(new() { ["task"] = "translate" }), multilingual: false).Error);
    }

    [Theory]
    [InlineData("language", "klingon", "unknown language 'klingon'")]
    [InlineData("task", "summarize", "parameter task is 'summarize'")]
    [InlineData("temperature", "1.5", "temperature must be a number from 0 to 1")]
    [InlineData("temperature", "NaN", "temperature must be a number from 0 to 1")]
    [InlineData("response_format", "docx", "response_format is 'docx'")]
    [InlineData("timestamp_granularities", "segment,sentence", "holds 'sentence'")]
    [InlineData("max_tokens", "0", "max_tokens")]
    [InlineData("max_tokens", "225", "max_tokens")]
    [InlineData("seed", "x", "seed must be a whole number")]
    [InlineData("ignore_eos", "maybe", "ignore_eos must be true or false")]
    [InlineData("beam_size", "0", "beam_size must be a whole number from 1 to 16")]
    [InlineData("best_of", "17", "best_of must be a whole number from 1 to 16")]
    [InlineData("best_size", "5", "unknown parameter 'best_size'")]
    public void Parse_BadParameter_NamesIt(string name, string value, string message)
    {
        var (request, error) = WhisperRequest.Parse(Request(new() { [name] = value }), multilingual: true);

        Assert.Null(request);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Parse_InputThatIsNotOneAudioFile_IsRefused()
    {
        Assert.Contains("exactly one element", WhisperRequest.Parse(Request(null, Audio, Audio), multilingual: true).Error);
        var fp32 = new InferenceRequest(null, null, [new InferTensor("audio", InferDatatype.Fp32, [1], new byte[4])], null);
        Assert.Contains("one BYTES input", WhisperRequest.Parse(fp32, multilingual: true).Error);
    }
}
