using System.Text;
using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.ModelBuilder.Whisper;
using GrainServe.Runtime;
using GrainServe.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Hugging Face Optimum's Whisper layout (encoder with only last_hidden_state; merged decoder with use_cache_branch, or
/// the decoder / decoder-with-past pair) against onnxruntime-genai's, on one random-weight model the builder writes in
/// both: the cross-attention state from the decoder's first pass must make the same transcript.
/// </summary>
public sealed class WhisperOptimumLayoutTests
{
    private static readonly byte[] Audio = WavFile.FromSamples(
        Enumerable.Range(0, 40000).Select(i => (float)(0.4 * Math.Sin(2 * Math.PI * 260 * i / 16000.0) * (1 + Math.Sin(i / 2500.0)))).ToArray(), 16000);

    private static async Task<JsonElement> VerboseAsync(WhisperInstance instance, Dictionary<string, string>? extra = null)
    {
        var parameters = new Dictionary<string, string> { ["max_tokens"] = "16", ["temperature_increment_on_fallback"] = "0", ["seed"] = "5", ["language"] = "en" };
        foreach (var (key, value) in extra ?? [])
        {
            parameters[key] = value;
        }

        var request = new InferenceRequest(null, null, [new InferTensor("audio", InferDatatype.Bytes, [1], BytesElements.Pack([Audio]))], null) { Parameters = parameters };
        var result = await instance.Infer(request, default);
        Assert.Null(result.Error);
        return JsonDocument.Parse(Encoding.UTF8.GetString(BytesElements.Unpack(result.Response!.Outputs.Single(o => o.Name == WhisperInstance.VerboseJsonOutput).Data).Single().Span)).RootElement.Clone();
    }

    private static int[] Tokens(JsonElement verbose) =>
        [.. verbose.GetProperty("segments").EnumerateArray().SelectMany(s => s.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()))];

    [Fact]
    public void Open_MergedDecoder_ReadsOptimumsNamesAndUsesItsFirstPass()
    {
        var folder = WhisperTestModel.FolderOf(WhisperLayout.OptimumMerged);
        var (decoder, encoder) = WhisperExport.Open(path => new InferenceSession(path), Path.Combine(folder, OptimumWhisperModel.MergedDecoderFile), Path.Combine(folder, OptimumWhisperModel.EncoderFile));
        using (decoder)
        using (encoder)
        {
            var layout = decoder.Layout;
            Assert.Equal("use_cache_branch", layout.UseCacheBranch);
            Assert.Equal("encoder_hidden_states", layout.EncoderHiddenStates);
            Assert.Equal(WhisperTestModel.Dims.Hidden, layout.EncoderHiddenSize);
            Assert.Equal("past_key_values.1.decoder.value", layout.Layers[1].PastValue);
            Assert.Equal("present.1.decoder.key", layout.Layers[1].PresentKey);
            Assert.Equal("past_key_values.1.encoder.key", layout.CrossLayers[1].Key);
            Assert.Equal(448, layout.ContextLength);
            Assert.Equal(51864, layout.VocabularySize);
            Assert.Null(layout.AttentionMask);
            Assert.True(encoder.UsesFirstPass);
        }
    }

    [Theory]
    [InlineData(WhisperLayout.OptimumMerged)]
    [InlineData(WhisperLayout.OptimumSplit)]
    public async Task Encode_OptimumLayout_GivesGenAisCrossAttentionState(WhisperLayout layout)
    {
        await using var genai = WhisperTestModel.Model();
        var folder = WhisperTestModel.FolderOf(layout);
        var (decoder, encoder) = WhisperExport.Open(path => new InferenceSession(path), Path.Combine(folder, OptimumWhisperModel.DecoderFile(layout)), Path.Combine(folder, OptimumWhisperModel.EncoderFile));
        using var _ = decoder;
        using var __ = encoder;
        var window = Enumerable.Range(0, 80 * 3000).Select(i => (float)Math.Sin(i * 0.37) * 0.5f).ToArray();

        var expected = genai.Encoder.Encode(window);
        var actual = encoder.Encode(window);

        Assert.Equal(expected.Positions, actual.Positions);
        Assert.Equal(expected.Bytes, actual.Bytes);
        for (var layer = 0; layer < expected.Keys.Count; layer++)
        {
            foreach (var (want, got) in new[] { (expected.Keys[layer], actual.Keys[layer]), (expected.Values[layer], actual.Values[layer]) })
            {
                var a = (float[])want;
                var b = (float[])got;
                Assert.Equal(a.Length, b.Length);
                Assert.True(a.Zip(b).Max(p => Math.Abs(p.First - p.Second)) < 1e-4f, $"layer {layer} differs");
            }
        }
    }

    [Theory]
    [InlineData(WhisperLayout.OptimumMerged)]
    [InlineData(WhisperLayout.OptimumSplit)]
    public async Task Infer_SameWeightsInBothLayouts_TranscribeToTheSameTokens(WhisperLayout layout)
    {
        await using var genai = WhisperTestModel.Instance();
        await using var optimum = WhisperTestModel.OptimumInstance(layout);

        var expected = await VerboseAsync(genai);
        var actual = await VerboseAsync(optimum);

        Assert.NotEmpty(Tokens(expected));
        Assert.Equal(Tokens(expected), Tokens(actual));
        Assert.Equal(expected.GetProperty("text").GetString(), actual.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Infer_MergedLayoutWithBeams_TranscribesAsGenAiDoes()
    {
        await using var genai = WhisperTestModel.Instance();
        await using var optimum = WhisperTestModel.OptimumInstance(WhisperLayout.OptimumMerged);

        var expected = await VerboseAsync(genai, new() { ["beam_size"] = "3", ["max_tokens"] = "8" });
        var actual = await VerboseAsync(optimum, new() { ["beam_size"] = "3", ["max_tokens"] = "8" });

        Assert.Equal(Tokens(expected), Tokens(actual));
    }

    [Fact]
    public void Open_EncoderWithOnlyHiddenStatesAndNoFirstPassDecoder_FailsNamingTheMissingFile()
    {
        var source = WhisperTestModel.FolderOf(WhisperLayout.OptimumSplit);
        var folder = Directory.CreateTempSubdirectory("grainserve-whisper-nopair-").FullName;
        try
        {
            foreach (var name in new[] { OptimumWhisperModel.EncoderFile, OptimumWhisperModel.WithPastDecoderFile, OptimumWhisperModel.HuggingFaceConfigFile })
            {
                File.Copy(Path.Combine(source, name), Path.Combine(folder, name));
            }

            var error = Assert.Throws<ModelLoadException>(() => WhisperExport.Open(
                path => new InferenceSession(path), Path.Combine(folder, OptimumWhisperModel.WithPastDecoderFile), Path.Combine(folder, OptimumWhisperModel.EncoderFile)));

            Assert.Contains("last_hidden_state", error.Message);
            Assert.Contains(OptimumWhisperModel.NoPastDecoderFile, error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
