using System.Diagnostics;
using GrainServe.ModelBuilder.Whisper;
using GrainServe.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace GrainServe.Speech;

public sealed class WhisperModelBuilderTests(WhisperModelBuilderTests.Model model, ITestOutputHelper output) : IClassFixture<WhisperModelBuilderTests.Model>
{
    // tiny.en's <|startoftranscript|>, <|notimestamps|>, then GPT-2's "The", " quick", " brown", " fox", "es".
    private static readonly int[] Tokens = [50257, 50362, 464, 2068, 7586, 21831, 274];

    private static WhisperDims Dims => WhisperDims.Tiny;

    [Fact]
    public void Encoder_InputsAndOutputs_AreGenAiNamedWithWhisperTinyShapes()
    {
        var input = Assert.Single(model.Encoder.InputMetadata);
        Assert.Equal("audio_features", input.Key);
        Assert.Equal(typeof(float), input.Value.ElementType);
        Assert.Equal([-1, 80, 3000], input.Value.Dimensions);
        Assert.Equal("batch", input.Value.SymbolicDimensions[0]);

        var outputs = model.Encoder.OutputMetadata;
        Assert.Equal(["encoder_hidden_states", .. Layers(i => [$"present_key_cross_{i}", $"present_value_cross_{i}"])], outputs.Keys);
        Assert.Equal([-1, 1500, 384], outputs["encoder_hidden_states"].Dimensions);
        foreach (var (name, meta) in outputs.Skip(1))
        {
            Assert.Equal(typeof(float), meta.ElementType);
            Assert.True(meta.Dimensions.SequenceEqual([-1, 6, 1500, 64]), name);
        }
    }

    [Fact]
    public void Decoder_InputsAndOutputs_AreGenAiNamedWithMaskAndPositions()
    {
        var inputs = model.Decoder.InputMetadata;
        Assert.Equal(
            ["input_ids", "attention_mask", "position_ids", .. Layers(i => [$"past_key_self_{i}", $"past_value_self_{i}", $"past_key_cross_{i}", $"past_value_cross_{i}"])],
            inputs.Keys);
        foreach (var name in new[] { "input_ids", "attention_mask", "position_ids" })
        {
            Assert.Equal(typeof(int), inputs[name].ElementType);
            Assert.Equal([-1, -1], inputs[name].Dimensions);
        }

        Assert.Equal(["batch", "total_seq"], inputs["attention_mask"].SymbolicDimensions);
        Assert.Equal(["batch", "seq"], inputs["position_ids"].SymbolicDimensions);
        Assert.Equal([-1, 6, -1, 64], inputs["past_value_self_3"].Dimensions);
        Assert.Equal("past_seq", inputs["past_key_self_0"].SymbolicDimensions[2]);
        Assert.Equal([-1, 6, 1500, 64], inputs["past_key_cross_3"].Dimensions);
        Assert.All(inputs.Values.Skip(3), meta => Assert.Equal(typeof(float), meta.ElementType));

        var outputs = model.Decoder.OutputMetadata;
        Assert.Equal(
            ["logits", .. Layers(i => [$"present_key_self_{i}", $"present_value_self_{i}"]), .. Layers(i => [$"output_cross_qk_{i}"])],
            outputs.Keys);
        Assert.Equal([-1, -1, 51864], outputs["logits"].Dimensions);
        Assert.Equal([-1, 6, -1, 64], outputs["present_key_self_2"].Dimensions);
        Assert.Equal("total_seq", outputs["present_key_self_2"].SymbolicDimensions[2]);
        Assert.Equal([-1, 6, -1, 1500], outputs["output_cross_qk_1"].Dimensions);
        Assert.Equal("seq", outputs["output_cross_qk_1"].SymbolicDimensions[2]);
    }

    [Fact]
    public void Encoder_OneSegment_GivesNormalizedStatesAndCrossKv()
    {
        Assert.Equal(1500 * 384, model.HiddenStates.Length);
        Assert.All(model.HiddenStates, v => Assert.True(float.IsFinite(v)));
        var row = model.HiddenStates.AsSpan(700 * 384, 384).ToArray();
        Assert.InRange(row.Average(), -0.05, 0.05);
        Assert.All(model.Cross.Keys.Concat(model.Cross.Values), kv => Assert.Equal(6 * 1500 * 64, kv.Length));
        Assert.NotEqual(model.Cross.Keys[0], model.Cross.Keys[1]);
    }

    [Fact]
    public void Decoder_SecondStepWithPast_MatchesTheWholeSequenceAtOnce()
    {
        var first = model.Stepper.Run(1, Tokens[..3], [1, 1, 1], [0, 1, 2], 0, WhisperStepper.Kv.Empty(Dims.DecoderLayers), model.Cross);
        var second = model.Stepper.Run(1, Tokens[3..4], [1, 1, 1, 1], [3], 3, first.Present, model.Cross);
        var whole = model.Stepper.Run(1, Tokens[..4], [1, 1, 1, 1], [0, 1, 2, 3], 0, WhisperStepper.Kv.Empty(Dims.DecoderLayers), model.Cross);

        Assert.Equal([1, 3, 51864], first.LogitsShape);
        Assert.Equal([1, 6, 1, 1500], second.CrossQkShape);
        Assert.Equal(6 * 4 * 64, second.Present.Keys[3].Length);
        AssertClose(whole.Logits.AsSpan(3 * Dims.Vocab), second.Logits, 1e-4);
        for (var l = 0; l < Dims.DecoderLayers; l++)
        {
            AssertClose(whole.Present.Keys[l], second.Present.Keys[l], 1e-4);
            AssertClose(whole.Present.Values[l], second.Present.Values[l], 1e-4);
            AssertClose(whole.CrossQk[l].AsSpan(3 * 1500, 1500), second.CrossQk[l].AsSpan(0, 1500), 1e-4);
        }

        output.WriteLine($"built in {model.BuildTime.TotalSeconds:F1} s: encoder {model.EncoderBytes} B, decoder {model.DecoderBytes} B");
    }

    private static string[] Layers(Func<int, string[]> names) => Enumerable.Range(0, Dims.DecoderLayers).SelectMany(names).ToArray();

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }

        Assert.True(worst <= tolerance, $"max |difference| {worst} > {tolerance}");
    }

    /// <summary>Whisper-tiny-shaped sessions built by the ModelBuilder, and the encoder's answer to one seeded segment.</summary>
    public sealed class Model : IDisposable
    {
        public Model()
        {
            var stopwatch = Stopwatch.StartNew();
            var encoder = WhisperEncoder.Build(Dims);
            var decoder = WhisperDecoder.Build(Dims);
            BuildTime = stopwatch.Elapsed;
            (EncoderBytes, DecoderBytes) = (encoder.Length, decoder.Length);
            using var options = new SessionOptions { IntraOpNumThreads = 1 };
            Encoder = new InferenceSession(encoder, options);
            Decoder = new InferenceSession(decoder, options);
            Stepper = new WhisperStepper(Decoder, Dims);

            var random = new Random(11);
            var features = new float[Dims.MelBins * Dims.Frames];
            for (var i = 0; i < features.Length; i++)
            {
                features[i] = (float)(random.NextDouble() * 2 - 1);
            }

            using var input = OrtValue.CreateTensorValueFromMemory(features, [1, Dims.MelBins, Dims.Frames]);
            using var run = new RunOptions();
            using var results = Encoder.Run(run, ["audio_features"], [input], Encoder.OutputNames);
            HiddenStates = results[0].GetTensorDataAsSpan<float>().ToArray();
            Cross = new WhisperStepper.Kv(
                Enumerable.Range(0, Dims.DecoderLayers).Select(l => results[1 + 2 * l].GetTensorDataAsSpan<float>().ToArray()).ToArray(),
                Enumerable.Range(0, Dims.DecoderLayers).Select(l => results[2 + 2 * l].GetTensorDataAsSpan<float>().ToArray()).ToArray());
        }

        public TimeSpan BuildTime { get; }

        public long EncoderBytes { get; }

        public long DecoderBytes { get; }

        public InferenceSession Encoder { get; }

        public InferenceSession Decoder { get; }

        public float[] HiddenStates { get; }

        internal WhisperStepper.Kv Cross { get; }

        internal WhisperStepper Stepper { get; }

        public void Dispose()
        {
            Encoder.Dispose();
            Decoder.Dispose();
        }
    }
}
