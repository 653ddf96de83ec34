using GrainServe.ModelBuilder.Whisper;
using static GrainServe.ModelBuilder.OnnxGraphBuilder;

namespace GrainServe.ModelBuilder.Xtts;

/// <summary>
/// Builds the XTTS-style GPT with a self-attention KV cache in onnxruntime-genai's encoder-decoder names:
/// <c>input_ids</c>, <c>attention_mask</c>, <c>position_ids</c> (INT32), per layer <c>past_key_self_{i}</c>/<c>past_value_self_{i}</c>
/// and the voice's <c>past_key_cross_{i}</c>/<c>past_value_cross_{i}</c> <c>[batch, heads, 32, head_size]</c> in;
/// <c>logits</c> <c>[batch, seq, vocab]</c> (the mel head over codes, text ids included so one id space serves the
/// prompt), <c>hidden_states</c> <c>[batch, seq, hidden]</c> (the final LayerNorm's output: XTTS's GPT latents) and
/// <c>present_key_self_{i}</c>/<c>present_value_self_{i}</c> out.
/// </summary>
/// <remarks>
/// XTTS-v2 prepends the 32 conditioning latents to the sequence as embeddings; here every block attends to them through
/// cross-attention instead, whose keys and values the conditioning encoder projects once per voice. That is the
/// per-sequence conditioning the generation engine already carries (Whisper's encoder state), so batching, KV
/// accounting and preemption need nothing new; the latents condition every position either way.
/// </remarks>
public static class XttsGpt
{
    /// <summary>The bytes of a GPT of <paramref name="dims"/> with seeded random weights.</summary>
    public static byte[] Build(XttsDims dims, int seed = 11)
    {
        var w = new WhisperGraph(dims.AsWhisper, new RandomWhisperWeights(seed), "xtts_gpt");
        var g = w.G;
        g.Input("input_ids", "INT32", "batch_size", "sequence_length")
            .Input("attention_mask", "INT32", "batch_size", "total_sequence_length")
            .Input("position_ids", "INT32", "batch_size", "sequence_length");
        for (var i = 0; i < dims.Layers; i++)
        {
            g.Input($"past_key_self_{i}", "FP32", "batch_size", dims.Heads, "past_sequence_length", dims.HeadSize)
                .Input($"past_value_self_{i}", "FP32", "batch_size", dims.Heads, "past_sequence_length", dims.HeadSize)
                .Input($"past_key_cross_{i}", "FP32", "batch_size", dims.Heads, dims.ConditioningPositions, dims.HeadSize)
                .Input($"past_value_cross_{i}", "FP32", "batch_size", dims.Heads, dims.ConditioningPositions, dims.HeadSize);
        }

        g.Output("logits", "FP32", "batch_size", "sequence_length", dims.Vocab);
        for (var i = 0; i < dims.Layers; i++)
        {
            g.Output($"present_key_self_{i}", "FP32", "batch_size", dims.Heads, "total_sequence_length", dims.HeadSize)
                .Output($"present_value_self_{i}", "FP32", "batch_size", dims.Heads, "total_sequence_length", dims.HeadSize);
        }

        g.Output("hidden_states", "FP32", "batch_size", "sequence_length", dims.Hidden);

        w.Constants();
        w.GeluConstants();
        w.Floats("masked", LlamaDecoder.MaskedScore);
        WhisperDecoder.Mask(w);

        var embedding = w.Weight("embed_tokens", w.Weights.Embedding(dims.Vocab, dims.Hidden), dims.Vocab, dims.Hidden);
        var positions = w.Weight("embed_positions", w.Weights.Embedding(dims.Context, dims.Hidden), dims.Context, dims.Hidden);
        g.Node("Gather", [embedding, "input_ids"], ["token_embed"])
            .Node("Gather", [positions, "position_ids"], ["position_embed"])
            .Node("Add", ["token_embed", "position_embed"], ["h_embed"]);

        var h = "h_embed";
        for (var l = 0; l < dims.Layers; l++)
        {
            var p = $"gpt{l}_";
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
            var cross = w.Attention(cq, $"past_key_cross_{l}", $"past_value_cross_{l}", p + "cross_", p + "cross_scores", allowed: null);
            g.Node("Add", [p + "h_self", w.Linear(cross, p + "cross_out", dims.Hidden, dims.Hidden)], [p + "h_cross"]);
            h = w.Mlp(p + "h_cross", p);
        }

        w.LayerNorm(h, "hidden_states");
        var head = w.Weight("mel_head", w.Weights.Matrix(dims.Hidden, dims.Vocab), dims.Hidden, dims.Vocab);
        // Random weights make the stop code as likely as any code, and XTTS's repetition penalty (10) pushes the codes
        // already said below it, so utterances would end after a dozen codes; a bias of -8 on the stop code keeps the
        // sample speaking until max_codes, like the real model's long sentences, and benchmarks of a known length.
        var bias = new float[dims.Vocab];
        bias[dims.StopAudioToken] = -8f;
        w.FloatMatrix("mel_head_bias", bias, dims.Vocab);
        g.Node("MatMul", ["hidden_states", head], ["logits_unbiased"])
            .Node("Add", ["logits_unbiased", "mel_head_bias"], ["logits"]);
        return g.ToBytes();
    }
}
