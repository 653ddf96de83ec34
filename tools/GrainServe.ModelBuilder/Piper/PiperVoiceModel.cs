using System.Runtime.InteropServices;
using System.Text.Json;

namespace GrainServe.ModelBuilder.Piper;

/// <summary>
/// A VITS-shaped Piper voice with seeded random weights: Piper's inputs and output (<c>input</c> int64 [1, n],
/// <c>input_lengths</c> int64 [1], <c>scales</c> float32 [3], <c>sid</c> int64 [1] when it has speakers →
/// <c>output</c> float32 [1, 1, samples]) and a <c>.onnx.json</c> in Piper's layout. The graph embeds the ids, runs a
/// linear layer and a convolution over them, repeats each id's frame ⌈length_scale × <see cref="FramesPerId"/>⌉ times
/// (VITS's duration predictor, flattened to one duration) for the first <c>input_lengths</c> ids, and projects each
/// frame to <see cref="Hop"/> samples through tanh. Its sound is noise; its length follows the text and the speed:
/// <c>input_lengths × ⌈length_scale × 8⌉ × 128</c> samples.
/// </summary>
public static class PiperVoiceModel
{
    /// <summary>Frames per phoneme id at length_scale 1.</summary>
    public const int FramesPerId = 8;

    /// <summary>Samples per frame.</summary>
    public const int Hop = 128;

    /// <summary>The sample's rate, Piper's medium quality.</summary>
    public const int SampleRate = 22050;

    private const int Channels = 32;

    // Piper's files hold the IPA symbols as they are, not as \u escapes.
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The ONNX file; <paramref name="speakers"/> above 1 adds the <c>sid</c> input and a speaker embedding.</summary>
    public static byte[] Build(int speakers = 1, int seed = 11)
    {
        var random = new Random(seed);
        byte[] Floats(int count, double scale)
        {
            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
            }

            return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }

        static byte[] Int64(long value) => BitConverter.GetBytes(value);
        static byte[] Float(float value) => BitConverter.GetBytes(value);

        var graph = new OnnxGraphBuilder("piper_vits")
            .Input("input", "INT64", 1, "phonemes")
            .Input("input_lengths", "INT64", 1L)
            .Input("scales", "FP32", 3L);
        if (speakers > 1)
        {
            graph.Input("sid", "INT64", 1L);
        }

        graph.Output("output", "FP32", 1, 1, "samples")
            .Initializer("emb", "FP32", [PiperPhonemeMap.Symbols, Channels], Floats(PiperPhonemeMap.Symbols * Channels, 1))
            .Initializer("w1", "FP32", [Channels, Channels], Floats(Channels * Channels, 1 / Math.Sqrt(Channels)))
            .Initializer("b1", "FP32", [Channels], Floats(Channels, 0.1))
            .Initializer("conv_w", "FP32", [Channels, Channels, 3], Floats(Channels * Channels * 3, 1 / Math.Sqrt(Channels * 3)))
            .Initializer("conv_b", "FP32", [Channels], Floats(Channels, 0.1))
            .Initializer("proj", "FP32", [Channels, Hop], Floats(Channels * Hop, 1 / Math.Sqrt(Channels)))
            .Initializer("noise", "FP32", [Hop], Floats(Hop, 0.1))
            .Initializer("zero", "INT64", [], Int64(0))
            .Initializer("one", "INT64", [], Int64(1))
            .Initializer("frames", "FP32", [], Float(FramesPerId))
            .Initializer("out_shape", "INT64", [3], MemoryMarshal.AsBytes(new long[] { 1, 1, -1 }.AsSpan()).ToArray())
            // Text encoder: embedding, a linear layer, a convolution over time.
            .Node("Gather", ["emb", "input"], ["x0"])
            .Node("MatMul", ["x0", "w1"], ["x1"])
            .Node("Add", ["x1", "b1"], ["x2"])
            .Node("Tanh", ["x2"], ["x3"]);
        var encoded = "x3";
        if (speakers > 1)
        {
            graph.Initializer("speaker_emb", "FP32", [speakers, Channels], Floats(speakers * Channels, 1))
                .Node("Gather", ["speaker_emb", "sid"], ["g"])
                .Node("Add", ["x3", "g"], ["x3g"]);
            encoded = "x3g";
        }

        return graph
            .Node("Transpose", [encoded], ["t0"], OnnxGraphBuilder.IntsAttribute("perm", 0, 2, 1))
            .Node("Conv", ["t0", "conv_w", "conv_b"], ["t1"], OnnxGraphBuilder.IntsAttribute("pads", 1, 1))
            .Node("Relu", ["t1"], ["t2"])
            .Node("Transpose", ["t2"], ["h"], OnnxGraphBuilder.IntsAttribute("perm", 0, 2, 1))
            // Durations: every id ⌈length_scale × 8⌉ frames, at least one; the first input_lengths ids only.
            .Node("Gather", ["scales", "one"], ["length_scale"])
            .Node("Mul", ["length_scale", "frames"], ["dur_f"])
            .Node("Ceil", ["dur_f"], ["dur_c"])
            .Node("Cast", ["dur_c"], ["dur_i"], OnnxGraphBuilder.IntAttribute("to", 7))
            .Node("Max", ["dur_i", "one"], ["dur"])
            .Node("Gather", ["input_lengths", "zero"], ["length"])
            .Node("Mul", ["length", "dur"], ["total"])
            .Node("Range", ["zero", "total", "one"], ["frame"])
            .Node("Div", ["frame", "dur"], ["source"])
            .Node("Gather", ["h", "source"], ["up"], OnnxGraphBuilder.IntAttribute("axis", 1))
            // Decoder: each frame to a hop of samples, with noise_scale's share of a fixed pattern standing in for VITS's noise.
            .Node("MatMul", ["up", "proj"], ["y0"])
            .Node("Gather", ["scales", "zero"], ["noise_scale"])
            .Node("Mul", ["noise", "noise_scale"], ["n0"])
            .Node("Add", ["y0", "n0"], ["y1"])
            .Node("Tanh", ["y1"], ["y2"])
            .Node("Reshape", ["y2", "out_shape"], ["output"])
            .ToBytes();
    }

    /// <summary>The <c>.onnx.json</c> beside the model, in Piper's layout with its en_US phoneme map.</summary>
    public static string Config(int speakers = 1)
    {
        var speakerMap = Enumerable.Range(0, speakers > 1 ? speakers : 0).ToDictionary(i => $"speaker_{i}", i => i);
        var config = new Dictionary<string, object>
        {
            ["audio"] = new Dictionary<string, object> { ["sample_rate"] = SampleRate, ["quality"] = "medium" },
            ["espeak"] = new Dictionary<string, object> { ["voice"] = "en-us" },
            ["inference"] = new Dictionary<string, object> { ["noise_scale"] = 0.667, ["length_scale"] = 1, ["noise_w"] = 0.8 },
            ["phoneme_type"] = "espeak",
            ["phoneme_map"] = new Dictionary<string, object>(),
            ["phoneme_id_map"] = PiperPhonemeMap.EnUs.ToDictionary(p => p.Key, p => new[] { p.Value }),
            ["num_symbols"] = PiperPhonemeMap.Symbols,
            ["num_speakers"] = Math.Max(1, speakers),
            ["speaker_id_map"] = speakerMap,
            ["piper_version"] = "1.0.0",
            ["language"] = new Dictionary<string, object> { ["code"] = "en_US", ["family"] = "en", ["region"] = "US" },
            ["dataset"] = "grainserve_random",
        };
        return JsonSerializer.Serialize(config, Options);
    }
}
