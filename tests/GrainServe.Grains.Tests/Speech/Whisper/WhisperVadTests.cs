using System.Text;
using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Speech.Audio.Vad;
using GrainServe.TestSupport;

namespace GrainServe.Speech.Whisper;

/// <summary><c>vad_filter</c> end to end: only the speech is transcribed, and the transcript keeps the recording's times.</summary>
public sealed class WhisperVadTests
{
    private static InferenceRequest Request(float[] samples, Dictionary<string, string> parameters) =>
        new(null, null, [new InferTensor("audio", InferDatatype.Bytes, [1], BytesElements.Pack([WavFile.FromSamples(samples, 16000)]))], null) { Parameters = parameters };

    private static JsonElement Verbose(InferenceResult result)
    {
        Assert.Null(result.Error);
        var output = result.Response!.Outputs.Single(o => o.Name == WhisperInstance.VerboseJsonOutput);
        return JsonDocument.Parse(Encoding.UTF8.GetString(BytesElements.Unpack(output.Data).Single().Span)).RootElement.Clone();
    }

    [Fact]
    public async Task VadFilter_SpeechAfterLongSilence_SegmentsStartWhereTheSpeechDoes_AndDurationIsTheRecordings()
    {
        var detector = SileroVadTests.Detector(nameof(VadFilter_SpeechAfterLongSilence_SegmentsStartWhereTheSpeechDoes_AndDurationIsTheRecordings));
        if (detector is null || !AudioTools.Available("espeak-ng", nameof(VadFilter_SpeechAfterLongSilence_SegmentsStartWhereTheSpeechDoes_AndDurationIsTheRecordings)))
        {
            return;
        }

        var path = Path.Combine(Path.GetTempPath(), $"grainserve-vad-{Guid.NewGuid():N}.wav");
        AudioTools.Run("espeak-ng", "-w", path, "Hello there, this is a short test of the filter.");
        var speech = (await new Audio.AudioDecoder().DecodeAsync(await File.ReadAllBytesAsync(path), Audio.AudioLimits.Default)).Samples;
        File.Delete(path);
        float[] samples = [.. new float[6 * 16000], .. speech, .. new float[16000]];
        await using var instance = WhisperTestModel.Instance(vad: new VoiceActivity(detector, null));

        var verbose = Verbose(await instance.Infer(Request(samples, new() { ["vad_filter"] = "true", ["seed"] = "3", ["max_tokens"] = "8", ["temperature_increment_on_fallback"] = "0" }), default));

        Assert.Equal(samples.Length / 16000.0, verbose.GetProperty("duration").GetDouble(), 1);
        var segments = verbose.GetProperty("segments").EnumerateArray().ToList();
        Assert.NotEmpty(segments);
        // The joined speech starts at 0; mapped back, nothing starts before the speech's first stretch (6 s, less its 400 ms of padding).
        Assert.All(segments, s => Assert.True(s.GetProperty("start").GetDouble() >= 5.5, $"a segment starts at {s.GetProperty("start")}"));
    }

    [Fact]
    public async Task VadFilter_OnSilence_IsAnEmptyTranscript_WithoutDecoding()
    {
        var detector = SileroVadTests.Detector(nameof(VadFilter_OnSilence_IsAnEmptyTranscript_WithoutDecoding));
        if (detector is null)
        {
            return;
        }

        await using var instance = WhisperTestModel.Instance(vad: new VoiceActivity(detector, null));

        var verbose = Verbose(await instance.Infer(Request(new float[3 * 16000], new() { ["vad_filter"] = "true" }), default));

        Assert.Equal("", verbose.GetProperty("text").GetString());
        Assert.Empty(verbose.GetProperty("segments").EnumerateArray());
        Assert.Equal(3.0, verbose.GetProperty("duration").GetDouble(), 2);
    }

    [Fact]
    public async Task VadFilter_WithoutADetector_Is400SayingWhy()
    {
        await using var instance = WhisperTestModel.Instance(vad: VoiceActivity.Load("/nonexistent/silero_vad_v5.onnx"));

        var result = await instance.Infer(Request(new float[16000], new() { ["vad_filter"] = "true" }), default);

        Assert.Equal(InferenceErrorCode.InvalidInput, result.Error!.Code);
        Assert.Contains("no Silero VAD v5 at '/nonexistent/silero_vad_v5.onnx'", result.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vad_filter", "maybe", "vad_filter must be true or false")]
    [InlineData("vad_threshold", "0.3", "needs vad_filter set to true")]
    public async Task VadParameters_Bad_Are400(string name, string value, string expected)
    {
        await using var instance = WhisperTestModel.Instance();

        var result = await instance.Infer(Request(new float[16000], new() { [name] = value }), default);

        Assert.Contains(expected, result.Error!.Message, StringComparison.Ordinal);
    }
}
