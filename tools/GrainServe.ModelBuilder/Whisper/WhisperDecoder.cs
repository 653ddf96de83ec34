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
        Write(new WhisperGraph(dims, WhisperModel.Source(weights, seed + 1), "whisper_decoder"));

    private static byte[] Write(WhisperGraph w)
    {
        var dims = w.Dims;
        var g = w.G;
        g.Input("input_ids", "INT32", "batch_size", "sequence_length")
            .Input("attention_mask", "INT32", "batch_size", "total_sequence_length")
            .Input("position_ids", "INT32", "batch_size", "sequence_length");
        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            g.Input($"past_key_self_{i}", "FP32", "batch_size", dims.Heads, "past_sequence_length", dims.HeadSize)
                .Input($"past_value_self_{i}", "FP32", "batch_size", dims.Heads, "past_sequence_length", dims.HeadSize)
                .Input($"past_key_cross_{i}", "FP32", "batch_size", dims.Heads, dims.AudioPositions, dims.HeadSize)
                .Input($"past_value_cross_{i}", "FP32", "batch_size", dims.Heads, dims.AudioPositions, dims.HeadSize);
        }

        g.Output("logits", "FP32", "batch_size", "sequence_length", dims.Vocab);
        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            g.Output($"present_key_self_{i}", "FP32", "batch_size", dims.Heads, "total_sequence_length", dims.HeadSize)
                .Output($"present_value_self_{i}", "FP32", "batch_size", dims.Heads, "total_sequence_length", dims.HeadSize);
        }

        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            g.Output($"output_cross_qk_{i}", "FP32", "batch_size", dims.Heads, "sequence_length", dims.AudioPositions);
        }

        w.Constants();
        w.GeluConstants();
        w.Floats("masked", LlamaDecoder.MaskedScore);
        Mask(w);

        var embedding = w.Weight("embed_tokens", w.Weights.Embedding(dims.Vocab, dims.Hidden), dims.Vocab, dims.Hidden);
        var positions = w.Weight("embed_positions", w.Weights.Embedding(dims.TextContext, dims.Hidden), dims.TextContext, dims.Hidden);
        g.Node("Gather", [embedding, "input_ids"], ["token_embed"])
            .Node("Gather", [positions, "position_ids"], ["position_embed"])
            .Node("Add", ["token_embed", "position_embed"], ["h_embed"]);

        var h = "h_embed";
        for (var l = 0; l < dims.DecoderLayers; l++)
        {
            var p = $"dec{l}_";
            var n = w.LayerNorm(h, p + "attn_ln");
            var q = w.Heads(w.Linear(n, p + "q", dims.Hidden, dims.Hidden), p + "q_heads");
            var k = w.Heads(w.Linear(n, p + "k", dims.Hidden, dims.Hidden, bias: false), p + "k_heads");
            var v = w.Heads(w.Linear(n, p + "v", dims.Hidden, dims.Hidden), p + "v_heads");
            g.Node("Concat", [$"past_key_self_{l}", k], [$"present_key_self_{l}"], IntAttribute("axis", 2))
                .Node("Concat", [$"past_value_self_{l}", v], [$"present_value_self_{l}"], IntAttribute("axis", 2));
            var self = w.Attention(q, $"present_key_self_{l}", $"present_value_self_{l}", p + "self_", p + "self_scores", "allowed");
            g.Node("Add", [h, w.Linear(self, p + "out", dims.Hidden, dims.Hidden)], [p + "h_self"]);

            var c = w.LayerNorm(p + "h_self", p + "cross_ln");
            var cq = w.Heads(w.Linear(c, p + "cross_q", dims.Hidden, dims.Hidden), p + "cross_q_heads");
            var cross = w.Attention(cq, $"past_key_cross_{l}", $"past_value_cross_{l}", p + "cross_", $"output_cross_qk_{l}", allowed: null);
            g.Node("Add", [p + "h_self", w.Linear(cross, p + "cross_out", dims.Hidden, dims.Hidden)], [p + "h_cross"]);
            h = w.Mlp(p + "h_cross", p);
        }

        var final = w.LayerNorm(h, "final_ln");
        g.Node("Transpose", [embedding], ["lm_head"], IntsAttribute("perm", 1, 0))
            .Node("MatMul", [final, "lm_head"], ["logits"]);
        return g.ToBytes();
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
            .Node("Sub", ["total_1", "seq_1"], ["past_1"])
            .Node("Squeeze", ["total_1"], ["total"])
            .Node("Squeeze", ["past_1"], ["past"])
            .Node("Range", ["zero_scalar", "total", "one_scalar"], ["key_index"])
            .Node("Range", ["past", "total", "one_scalar"], ["query_index"])
            .Node("Unsqueeze", ["key_index", "axis_0"], ["key_row"])
            .Node("Unsqueeze", ["query_index", "axis_1"], ["query_column"])
            .Node("LessOrEqual", ["key_row", "query_column"], ["causal"])
            .Node("Equal", ["attention_mask", "mask_one"], ["key_present"])
            .Node("Unsqueeze", ["key_present", "axes_1_2"], ["key_present_4d"])
            .Node("And", ["causal", "key_present_4d"], ["allowed"]);
    }
}
