using static GrainServe.ModelBuilder.OnnxGraphBuilder;

namespace GrainServe.ModelBuilder.Whisper;

/// <summary>
/// Builds Whisper's text decoder with a self-attention KV cache, with onnxruntime-genai's Whisper export names plus
/// <c>attention_mask</c> and <c>position_ids</c>: <c>input_ids</c> <c>[batch, seq]</c>, <c>attention_mask</c>
/// <c>[batch, past_seq + seq]</c>, <c>position_ids</c> <c>[batch, seq]</c> (all INT32), and per layer <c>i</c>
/// <c>past_key_self_{i}</c>/<c>past_value_self_{i}</c> <c>[batch, heads, past_seq, head_size]</c> and the encoder's
/// <c>past_key_cross_{i}</c>/<c>past_value_cross_{i}</c> <c>[batch, heads, positions, head_size]</c> in;
/// <c>logits</c> <c>[batch, seq, vocab]</c>, <c>present_key_self_{i}</c>/<c>present_value_self_{i}</c> (past
/// followed by this step's) and <c>output_cross_qk_{i}</c> <c>[batch, heads, seq, positions]</c> out.
/// </summary>
/// <remarks>
/// The token embedding plus the learned position row <c>position_ids</c> picks; pre-LayerNorm blocks of masked
/// self-attention, cross-attention over the encoder's keys and values (unmasked: every row's audio is 30 s, padded
/// by the feature extractor, not here) and a GELU MLP; a final LayerNorm and logits from the token embedding (tied,
/// as Whisper's). <c>output_cross_qk_{i}</c> is the cross-attention's pre-softmax <c>q·kᵀ/√head_size</c> that word
/// timestamps align on. The self-attention mask is <see cref="LlamaDecoder"/>'s: query <c>j</c> sees key <c>k</c>
/// iff <c>k &lt;= past_seq + j</c> and <c>attention_mask[k] == 1</c>, so padded rows of different lengths batch.
/// Symbolic dimensions carry the export's names: <c>batch_size</c>, <c>sequence_length</c>, <c>past_sequence_length</c>,
/// <c>total_sequence_length</c>.
/// </remarks>
public static class WhisperDecoder
{
    /// <summary>The bytes of a decoder of <paramref name="dims"/> with weights from <paramref name="weights"/>.</summary>
    /// <param name="dims">The model's shape.</param>
    /// <param name="weights">The weight scheme; the encoder built with the same scheme and seed is this decoder's pair.</param>
    /// <param name="seed">Seeds the weights. The decoder's stream starts at <c>seed + 1</c> so it differs from the encoder's.</param>
    public static byte[] Build(WhisperDims dims, WhisperWeights weights = WhisperWeights.RandomFloat, int seed = 7) =>
        Write(new WhisperGraph(dims, WhisperModel.Source(weights, seed + 1), "whisper_decoder"), Variant.GenAi, []);

    /// <summary>
    /// The same decoder (the same weights for the same arguments, the cross-attention projections taken from the
    /// encoder's, see <see cref="WhisperEncoder.CrossWeights"/>) as Hugging Face Optimum exports it without past
    /// (<c>decoder_model.onnx</c>): <c>input_ids</c> INT64 <c>[batch, seq]</c> and <c>encoder_hidden_states</c>
    /// <c>[batch, positions, hidden]</c> in; <c>logits</c>, per layer <c>present.{i}.decoder.key</c>/<c>.value</c>
    /// and the cross-attention keys and values it projected from the audio, <c>present.{i}.encoder.key</c>/<c>.value</c>, out.
    /// </summary>
    public static byte[] BuildOptimumNoPast(WhisperDims dims, WhisperWeights weights = WhisperWeights.RandomFloat, int seed = 7) =>
        Write(new WhisperGraph(dims, WhisperModel.Source(weights, seed + 1), "decoder_model"), Variant.NoPast, WhisperEncoder.CrossWeights(dims, weights, seed));

    /// <summary>
    /// Optimum's decoder with past (<c>decoder_with_past_model.onnx</c>) of the same model: <c>input_ids</c> and per
    /// layer <c>past_key_values.{i}.decoder.key</c>/<c>.value</c> (the tokens so far) and
    /// <c>past_key_values.{i}.encoder.key</c>/<c>.value</c> (the cross-attention state the first pass output) in;
    /// <c>logits</c> and <c>present.{i}.decoder.key</c>/<c>.value</c> (past followed by this step's) out. No mask and
    /// no position ids: positions follow the past's length, as Optimum's export derives them.
    /// </summary>
    public static byte[] BuildOptimumWithPast(WhisperDims dims, WhisperWeights weights = WhisperWeights.RandomFloat, int seed = 7) =>
        Write(new WhisperGraph(dims, WhisperModel.Source(weights, seed + 1), "decoder_with_past_model"), Variant.WithPast, []);

    private enum Variant
    {
        GenAi,
        NoPast,
        WithPast,
    }

    private static byte[] Write(WhisperGraph w, Variant variant, IReadOnlyList<(LlamaTensor Key, LlamaTensor Value, LlamaTensor ValueBias)> cross)
    {
        var dims = w.Dims;
        var g = w.G;
        string SelfPast(int i, string kv) => variant == Variant.GenAi ? $"past_{kv}_self_{i}" : $"past_key_values.{i}.decoder.{kv}";
        string SelfPresent(int i, string kv) => variant == Variant.GenAi ? $"present_{kv}_self_{i}" : $"present.{i}.decoder.{kv}";
        string CrossKv(int i, string kv) => variant switch
        {
            Variant.GenAi => $"past_{kv}_cross_{i}",
            Variant.WithPast => $"past_key_values.{i}.encoder.{kv}",
            _ => $"present.{i}.encoder.{kv}",
        };

        Inputs(w, variant, SelfPast, CrossKv);
        g.Output("logits", "FP32", "batch_size", variant == Variant.GenAi ? "sequence_length" : "decoder_sequence_length", dims.Vocab);
        var total = variant switch { Variant.GenAi => "total_sequence_length", Variant.WithPast => "past_decoder_sequence_length + 1", _ => "decoder_sequence_length" };
        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            g.Output(SelfPresent(i, "key"), "FP32", "batch_size", dims.Heads, total, dims.HeadSize)
                .Output(SelfPresent(i, "value"), "FP32", "batch_size", dims.Heads, total, dims.HeadSize);
            if (variant == Variant.NoPast)
            {
                g.Output(CrossKv(i, "key"), "FP32", "batch_size", dims.Heads, "encoder_sequence_length_out", dims.HeadSize)
                    .Output(CrossKv(i, "value"), "FP32", "batch_size", dims.Heads, "encoder_sequence_length_out", dims.HeadSize);
            }
        }

        for (var i = 0; i < dims.DecoderLayers && variant == Variant.GenAi; i++)
        {
            g.Output($"output_cross_qk_{i}", "FP32", "batch_size", dims.Heads, "sequence_length", dims.AudioPositions);
        }

        w.Constants();
        w.GeluConstants();
        w.Floats("masked", LlamaDecoder.MaskedScore);
        if (variant == Variant.GenAi)
        {
            Mask(w);
        }
        else
        {
            CausalMask(w, variant == Variant.WithPast ? SelfPast(0, "key") : null);
        }

        var embedding = w.Weight("embed_tokens", w.Weights.Embedding(dims.Vocab, dims.Hidden), dims.Vocab, dims.Hidden);
        var positions = w.Weight("embed_positions", w.Weights.Embedding(dims.TextContext, dims.Hidden), dims.TextContext, dims.Hidden);
        g.Node("Gather", [embedding, "input_ids"], ["token_embed"])
            .Node("Gather", [positions, variant == Variant.GenAi ? "position_ids" : "query_index"], ["position_embed"])
            .Node("Add", ["token_embed", "position_embed"], ["h_embed"]);

        var h = "h_embed";
        for (var l = 0; l < dims.DecoderLayers; l++)
        {
            var p = $"dec{l}_";
            var n = w.LayerNorm(h, p + "attn_ln");
            var q = w.Heads(w.Linear(n, p + "q", dims.Hidden, dims.Hidden), p + "q_heads");
            var k = w.Heads(w.Linear(n, p + "k", dims.Hidden, dims.Hidden, bias: false), p + "k_heads");
            var v = w.Heads(w.Linear(n, p + "v", dims.Hidden, dims.Hidden), p + "v_heads");
            if (variant == Variant.NoPast)
            {
                g.Node("Identity", [k], [SelfPresent(l, "key")])
                    .Node("Identity", [v], [SelfPresent(l, "value")]);
            }
            else
            {
                g.Node("Concat", [SelfPast(l, "key"), k], [SelfPresent(l, "key")], IntAttribute("axis", 2))
                    .Node("Concat", [SelfPast(l, "value"), v], [SelfPresent(l, "value")], IntAttribute("axis", 2));
            }

            var self = w.Attention(q, SelfPresent(l, "key"), SelfPresent(l, "value"), p + "self_", p + "self_scores", "allowed");
            g.Node("Add", [h, w.Linear(self, p + "out", dims.Hidden, dims.Hidden)], [p + "h_self"]);

            var c = w.LayerNorm(p + "h_self", p + "cross_ln");
            var cq = w.Heads(w.Linear(c, p + "cross_q", dims.Hidden, dims.Hidden), p + "cross_q_heads");
            if (variant == Variant.NoPast)
            {
                // Optimum's first pass: the decoder projects the encoder's output into this layer's cross keys and values.
                var (keyWeight, valueWeight, valueBias) = cross[l];
                var pc = $"cross{l}_";
                g.Node("MatMul", ["encoder_hidden_states", w.Weight(pc + "k_weight", keyWeight, dims.Hidden, dims.Hidden)], [pc + "k"])
                    .Node("MatMul", ["encoder_hidden_states", w.Weight(pc + "v_weight", valueWeight, dims.Hidden, dims.Hidden)], [pc + "v_mm"])
                    .Node("Add", [pc + "v_mm", w.Weight(pc + "v_bias", valueBias, dims.Hidden)], [pc + "v"]);
                w.Heads(pc + "k", CrossKv(l, "key"));
                w.Heads(pc + "v", CrossKv(l, "value"));
            }

            var scores = variant == Variant.GenAi ? $"output_cross_qk_{l}" : p + "cross_scores";
            var attended = w.Attention(cq, CrossKv(l, "key"), CrossKv(l, "value"), p + "cross_", scores, allowed: null);
            g.Node("Add", [p + "h_self", w.Linear(attended, p + "cross_out", dims.Hidden, dims.Hidden)], [p + "h_cross"]);
            h = w.Mlp(p + "h_cross", p);
        }

        var final = w.LayerNorm(h, "final_ln");
        g.Node("Transpose", [embedding], ["lm_head"], IntsAttribute("perm", 1, 0))
            .Node("MatMul", [final, "lm_head"], ["logits"]);
        return g.ToBytes();
    }

    private static void Inputs(WhisperGraph w, Variant variant, Func<int, string, string> selfPast, Func<int, string, string> crossKv)
    {
        var dims = w.Dims;
        var g = w.G;
        if (variant == Variant.GenAi)
        {
            g.Input("input_ids", "INT32", "batch_size", "sequence_length")
                .Input("attention_mask", "INT32", "batch_size", "total_sequence_length")
                .Input("position_ids", "INT32", "batch_size", "sequence_length");
        }
        else
        {
            g.Input("input_ids", "INT64", "batch_size", "decoder_sequence_length");
        }

        if (variant == Variant.NoPast)
        {
            g.Input("encoder_hidden_states", "FP32", "batch_size", "encoder_sequence_length / 2", dims.Hidden);
            return;
        }

        var self = variant == Variant.GenAi ? "past_sequence_length" : "past_decoder_sequence_length";
        var audio = variant == Variant.GenAi ? new OnnxDim(dims.AudioPositions, null) : new OnnxDim(0, "encoder_sequence_length_out");
        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            g.Input(selfPast(i, "key"), "FP32", "batch_size", dims.Heads, self, dims.HeadSize)
                .Input(selfPast(i, "value"), "FP32", "batch_size", dims.Heads, self, dims.HeadSize)
                .Input(crossKv(i, "key"), "FP32", "batch_size", dims.Heads, audio, dims.HeadSize)
                .Input(crossKv(i, "value"), "FP32", "batch_size", dims.Heads, audio, dims.HeadSize);
        }
    }

    // allowed[j, k] = k <= past_seq + j, from the past's length (0 without a past): Optimum's decoders take no mask,
    // and positions are the query indices past_seq .. past_seq + seq - 1 ("query_index").
    private static void CausalMask(WhisperGraph w, string? past)
    {
        w.Int64s("axis_0", 0);
        w.Int64s("axis_1", 1);
        w.Int64Scalar("zero_scalar", 0);
        w.Int64Scalar("one_scalar", 1);
        w.G.Node("Shape", ["input_ids"], ["seq_1"], IntAttribute("start", 1), IntAttribute("end", 2));
        if (past is null)
        {
            w.Int64s("past_1", 0);
        }
        else
        {
            w.G.Node("Shape", [past], ["past_1"], IntAttribute("start", 2), IntAttribute("end", 3));
        }

        w.G.Node("Add", ["past_1", "seq_1"], ["total_1"]);
        Causal(w, "allowed");
    }

    // allowed[b, 0, j, k] = k <= past_seq + j && attention_mask[b, k] == 1, shared by every layer (and by XttsGpt's).
    internal static void Mask(WhisperGraph w)
    {
        w.Int64s("axis_0", 0);
        w.Int64s("axis_1", 1);
        w.Int64s("axes_1_2", 1, 2);
        w.Int64Scalar("zero_scalar", 0);
        w.Int64Scalar("one_scalar", 1);
        w.Int32s("mask_one", 1);
        w.G.Node("Shape", ["input_ids"], ["seq_1"], IntAttribute("start", 1), IntAttribute("end", 2))
            .Node("Shape", ["attention_mask"], ["total_1"], IntAttribute("start", 1), IntAttribute("end", 2))
            .Node("Sub", ["total_1", "seq_1"], ["past_1"]);
        Causal(w, "causal");
        w.G.Node("Equal", ["attention_mask", "mask_one"], ["key_present"])
            .Node("Unsqueeze", ["key_present", "axes_1_2"], ["key_present_4d"])
            .Node("And", ["causal", "key_present_4d"], ["allowed"]);
    }

    // output[j, k] = k <= past + j over the key positions 0..total-1 and the query positions past..total-1, from
    // past_1 and total_1 ([1] each), with the axis_0, axis_1, zero_scalar and one_scalar constants.
    private static void Causal(WhisperGraph w, string output) =>
        w.G.Node("Squeeze", ["total_1"], ["total"])
            .Node("Squeeze", ["past_1"], ["past"])
            .Node("Range", ["zero_scalar", "total", "one_scalar"], ["key_index"])
            .Node("Range", ["past", "total", "one_scalar"], ["query_index"])
            .Node("Unsqueeze", ["key_index", "axis_0"], ["key_row"])
            .Node("Unsqueeze", ["query_index", "axis_1"], ["query_column"])
            .Node("LessOrEqual", ["key_row", "query_column"], [output]);
}
