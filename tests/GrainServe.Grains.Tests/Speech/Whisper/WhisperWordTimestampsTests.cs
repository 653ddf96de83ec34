using System.Text;
using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.Speech.Audio;
using GrainServe.Speech.Transcription;
using GrainServe.TestSupport;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Word timestamps through the whole pipeline on the small random-weight model: the alignment pass runs on the
/// engine and its cross-attention weights come back per sequence; the words mean nothing, but their times must
/// still be well-formed and lie inside their segments.
/// </summary>
public sealed class WhisperWordTimestampsTests
{
    private static InferenceRequest Request(byte[] audio, Dictionary<string, string> parameters) =>
        new(null, null, [new InferTensor("audio", InferDatatype.Bytes, [1], BytesElements.Pack([audio]))], null) { Parameters = parameters };

    private static byte[] Noise(double seconds, int seed) => WavFile.FromSamples(Samples(seconds, seed), 16000);

    private static float[] Samples(double seconds, int seed)
    {
        var random = new Random(seed);
        var samples = new float[(int)(seconds * 16000)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)((0.3 * Math.Sin(2 * Math.PI * 220 * i / 16000 * (1 + (i / 40000.0)))) + (0.1 * (random.NextDouble() - 0.5)));
        }

        return samples;
    }

    [Theory]
    [InlineData(3.0, 1)]
    [InlineData(34.0, 2)]
    [InlineData(12.0, 4)]
    public async Task Transcribe_WithWordTimestamps_GivesMonotonicWordsInsideTheirSegments(double seconds, int seed)
    {
        await using var model = WhisperTestModel.Model();
        var samples = Samples(seconds, seed);
        var mel = LogMelSpectrogram.Compute(samples, model.Filterbank);
        var decoder = new EngineWindowDecoder(model, mel, LogMelSpectrogram.FrameCount(samples.Length), seed);
        var transcriber = new WhisperTranscriber(decoder, model.Text, model.Tokenizer.SpecialTokens, decoder);

        var transcript = await transcriber.TranscribeAsync(
            LogMelSpectrogram.ContentFrameCount(samples.Length),
            new TranscribeOptions { Language = "en", WordTimestamps = true, SampleLength = 40 });

        var words = transcript.Segments.SelectMany(s => s.Words).ToList();
        Assert.NotEmpty(words);
        foreach (var segment in transcript.Segments)
        {
            Assert.All(segment.Words, w => Assert.True(
                w.Start <= w.End && w.Start >= segment.Start - 1e-9 && w.End <= segment.End + 1e-9,
                $"{w} is outside its segment {segment.Id} [{segment.Start}, {segment.End}]"));
        }

        for (var i = 1; i < words.Count; i++)
        {
            Assert.True(words[i].Start >= words[i - 1].Start && words[i].End >= words[i - 1].End, $"word {i} goes back in time: {words[i - 1]} then {words[i]}");
        }
    }

    [Fact]
    public async Task Infer_WordGranularity_AddsTheWordsToVerboseJson()
    {
        await using var instance = WhisperTestModel.Instance();
        var parameters = new Dictionary<string, string> { ["timestamp_granularities"] = "segment,word", ["response_format"] = "verbose_json", ["seed"] = "5", ["max_tokens"] = "30" };

        var result = await instance.Infer(Request(WavFile.FromSamples(Samples(4.0, 5), 16000), parameters), default);

        Assert.Null(result.Error);
        var verbose = JsonDocument.Parse(Encoding.UTF8.GetString(BytesElements.Unpack(result.Response!.Outputs.Single(o => o.Name == WhisperInstance.TextOutput).Data).Single().Span)).RootElement;
        var words = verbose.GetProperty("words").EnumerateArray().ToList();
        Assert.NotEmpty(words);
        Assert.All(words, w => Assert.Equal(["word", "start", "end"], w.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task Infer_WordGranularityOnADecoderWithoutCrossAttentionWeights_IsInvalidInputSayingWhy()
    {
        await using var instance = WhisperTestModel.Instance(crossAttentionWeights: false);

        var result = await instance.Infer(Request(Noise(1.0, 3), new() { ["timestamp_granularities"] = "word", ["response_format"] = "verbose_json" }), default);

        Assert.Equal(Errors.InferenceErrorCode.InvalidInput, result.Error!.Code);
        Assert.Contains("output_cross_qk", result.Error.Message);
    }

    [Fact]
    public void AlignmentHeads_WithoutAList_AreEveryHeadOfTheLastHalfOfTheLayers_ElseTheConfigs()
    {
        Assert.Equal([(2, 0), (2, 1), (3, 0), (3, 1)], AlignmentHeads.Default(4, 2).Heads);

        var folder = Directory.CreateTempSubdirectory("grainserve-heads-").FullName;
        try
        {
            Assert.False(AlignmentHeads.Load(folder, 4, 6).FromConfig);
            File.WriteAllText(Path.Combine(folder, AlignmentHeads.GenerationConfigFile), """{"alignment_heads": [[2, 2], [3, 0], [3, 5]], "begin_suppress_tokens": [220]}""");
            Assert.Equal([(2, 2), (3, 0), (3, 5)], AlignmentHeads.Load(folder, 4, 6).Heads);
            File.WriteAllText(Path.Combine(folder, AlignmentHeads.GenerationConfigFile), """{"alignment_heads": [[4, 0]]}""");
            Assert.Contains("[4, 0]", Assert.Throws<Runtime.ModelLoadException>(() => AlignmentHeads.Load(folder, 4, 6)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
