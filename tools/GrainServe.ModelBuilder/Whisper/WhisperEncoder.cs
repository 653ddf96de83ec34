using static GrainServe.ModelBuilder.OnnxGraphBuilder;

namespace GrainServe.ModelBuilder.Whisper;

/// <summary>
/// Builds Whisper's audio encoder as onnxruntime-genai's Whisper export lays it out: <c>audio_features</c>
/// <c>[batch, mel_bins, frames]</c> in; <c>encoder_hidden_states</c> <c>[batch, positions, hidden]</c> and, for
/// each decoder layer <c>i</c>, the cross-attention's <c>present_key_cross_{i}</c> and <c>present_value_cross_{i}</c>
/// <c>[batch, heads, positions, head_size]</c> out, so the decoder never projects the audio again.
/// </summary>
/// <remarks>
/// Conv1d(mel → hidden, kernel 3, pad 1) and GELU, Conv1d(hidden → hidden, kernel 3, stride 2, pad 1) and GELU, plus
/// openai/whisper's <c>sinusoids(positions, hidden)</c>; then pre-LayerNorm blocks (unmasked self-attention with
/// biases on q, v and out but not k, GELU MLP) and a final LayerNorm, whose output the cross keys (no bias) and
/// values (bias) are projected from.
/// </remarks>
public static class WhisperEncoder
{
    /// <summary>The bytes of an encoder of <paramref name="dims"/> with weights from <paramref name="weights"/>.</summary>
    public static byte[] Build(WhisperDims dims, WhisperWeights weights = WhisperWeights.RandomFloat, int seed = 7) =>
        Write(new WhisperGraph(dims, WhisperModel.Source(weights, seed), "whisper_encoder"), optimum: false);

    /// <summary>
    /// The same encoder (the same weights for the same arguments) as Hugging Face Optimum exports it:
    /// <c>input_features</c> <c>[batch, mel_bins, frames]</c> in, <c>last_hidden_state</c> <c>[batch, positions,
    /// hidden]</c> out, and no cross-attention projections: Optimum's decoder computes those itself (see
    /// <see cref="CrossWeights"/>).
    /// </summary>
    public static byte[] BuildOptimum(WhisperDims dims, WhisperWeights weights = WhisperWeights.RandomFloat, int seed = 7) =>
        Write(new WhisperGraph(dims, WhisperModel.Source(weights, seed), "whisper_encoder"), optimum: true);

    /// <summary>
    /// The cross-attention projections <see cref="Build"/> puts at the end of the encoder, per decoder layer its key
    /// weight, value weight and value bias: the weights an Optimum decoder of the same model projects the audio with.
    /// </summary>
    internal static IReadOnlyList<(LlamaTensor Key, LlamaTensor Value, LlamaTensor ValueBias)> CrossWeights(WhisperDims dims, WhisperWeights weights, int seed)
    {
        // The projections are drawn last, so replaying the whole encoder's draws reaches them in the same stream.
        var recorder = new RecordingWhisperWeights(WhisperModel.Source(weights, seed));
        Write(new WhisperGraph(dims, recorder, "whisper_encoder"), optimum: false);
        var tail = recorder.Drawn.Skip(recorder.Drawn.Count - (3 * dims.DecoderLayers)).ToArray();
        return Enumerable.Range(0, dims.DecoderLayers).Select(i => (tail[3 * i], tail[(3 * i) + 1], tail[(3 * i) + 2])).ToArray();
    }

    /// <summary>
    /// openai/whisper's <c>sinusoids</c>: row <c>p</c> is <c>sin(p·τᵢ)</c> then <c>cos(p·τᵢ)</c> for
    /// <c>τᵢ = 10000^(-i / (channels/2 - 1))</c>, <c>i &lt; channels/2</c>; <c>[length, channels]</c> row-major.
    /// </summary>
    public static float[] Sinusoids(int length, int channels)
    {
        var half = channels / 2;
        var increment = Math.Log(10000) / (half - 1);
        var values = new float[length * channels];
        for (var p = 0; p < length; p++)
        {
            for (var i = 0; i < half; i++)
            {
                // Whisper computes the timescales and their product in float32; float64 here differs by an ulp at most.
                var angle = p * Math.Exp(-increment * i);
                values[p * channels + i] = (float)Math.Sin(angle);
                values[p * channels + half + i] = (float)Math.Cos(angle);
            }
        }

        return values;
    }

    private static byte[] Write(WhisperGraph w, bool optimum)
    {
        var dims = w.Dims;
        var g = w.G;
        var features = optimum ? "input_features" : "audio_features";
        var hidden = optimum ? "last_hidden_state" : "encoder_hidden_states";
        g.Input(features, "FP32", "batch_size", dims.MelBins, dims.Frames)
            .Output(hidden, "FP32", "batch_size", dims.AudioPositions, dims.Hidden);
        for (var i = 0; i < dims.DecoderLayers && !optimum; i++)
        {
            g.Output($"present_key_cross_{i}", "FP32", "batch_size", dims.Heads, dims.AudioPositions, dims.HeadSize)
                .Output($"present_value_cross_{i}", "FP32", "batch_size", dims.Heads, dims.AudioPositions, dims.HeadSize);
        }

        w.Constants();
        w.GeluConstants();

        var conv1 = w.Weight("conv1_weight", w.Weights.Conv(dims.Hidden, dims.MelBins, 3), dims.Hidden, dims.MelBins, 3);
        var conv1Bias = w.Weight("conv1_bias", w.Weights.Bias(dims.Hidden), dims.Hidden);
        g.Node("Conv", [features, conv1, conv1Bias], ["conv1"], IntsAttribute("kernel_shape", 3), IntsAttribute("pads", 1, 1));
        var conv2 = w.Weight("conv2_weight", w.Weights.Conv(dims.Hidden, dims.Hidden, 3), dims.Hidden, dims.Hidden, 3);
        var conv2Bias = w.Weight("conv2_bias", w.Weights.Bias(dims.Hidden), dims.Hidden);
        g.Node("Conv", [w.Gelu("conv1", "conv1_gelu"), conv2, conv2Bias], ["conv2"],
            IntsAttribute("kernel_shape", 3), IntsAttribute("pads", 1, 1), IntsAttribute("strides", 2));
        w.FloatMatrix("positional_embedding", Sinusoids(dims.AudioPositions, dims.Hidden), dims.AudioPositions, dims.Hidden);
        g.Node("Transpose", [w.Gelu("conv2", "conv2_gelu")], ["conv_out"], IntsAttribute("perm", 0, 2, 1))
            .Node("Add", ["conv_out", "positional_embedding"], ["h_embed"]);

        var h = "h_embed";
        for (var l = 0; l < dims.EncoderLayers; l++)
        {
            var p = $"enc{l}_";
            var n = w.LayerNorm(h, p + "attn_ln");
            var q = w.Heads(w.Linear(n, p + "q", dims.Hidden, dims.Hidden), p + "q_heads");
            var k = w.Heads(w.Linear(n, p + "k", dims.Hidden, dims.Hidden, bias: false), p + "k_heads");
            var v = w.Heads(w.Linear(n, p + "v", dims.Hidden, dims.Hidden), p + "v_heads");
            var attention = w.Attention(q, k, v, p, p + "scores", allowed: null);
            g.Node("Add", [h, w.Linear(attention, p + "out", dims.Hidden, dims.Hidden)], [p + "h_attn"]);
            h = w.Mlp(p + "h_attn", p);
        }

        w.LayerNorm(h, hidden);
        for (var i = 0; i < dims.DecoderLayers && !optimum; i++)
        {
            var p = $"cross{i}_";
            w.Heads(w.Linear(hidden, p + "k", dims.Hidden, dims.Hidden, bias: false), $"present_key_cross_{i}");
            w.Heads(w.Linear(hidden, p + "v", dims.Hidden, dims.Hidden), $"present_value_cross_{i}");
        }

        return g.ToBytes();
    }
}
