using System.Runtime.InteropServices;
using static GrainServe.ModelBuilder.OnnxGraphBuilder;

namespace GrainServe.ModelBuilder;

/// <summary>
/// Builds a Llama-style decoder with a key/value cache, in standard opset-17 ONNX ops and with the input and
/// output names of Hugging Face Optimum and onnxruntime-genai exports:
/// <c>input_ids</c>, <c>attention_mask</c> (over past and new tokens), <c>position_ids</c> and
/// <c>past_key_values.{i}.key|value</c> <c>[batch, kv_heads, past_seq, head_size]</c> in; <c>logits</c>
/// <c>[batch, seq, vocab]</c> and <c>present.{i}.key|value</c> (past followed by this step's) out.
/// </summary>
/// <remarks>
/// Per layer: RMSNorm, q/k/v projections, rotary embedding (base 10000, rotate-half) computed from
/// <c>position_ids</c>, grouped-query attention with scaled dot products, output projection and residual;
/// RMSNorm, SwiGLU feed-forward (SiLU as <c>x·sigmoid(x)</c>) and residual. Then a final RMSNorm and logits
/// from the embedding table (tied output projection). Attention works in padded coordinates: key index
/// <c>k</c> of <c>[0, total_seq)</c>, query <c>j</c> at index <c>past_seq + j</c>, and query j sees key k iff
/// <c>k &lt;= past_seq + j</c> and <c>attention_mask[k] == 1</c>, so rows laid out
/// <c>[left padding | past | new tokens | right padding]</c> batch exactly.
/// <para>
/// With <see cref="LlamaAttention.GroupQueryAttention"/> the attention of each layer is instead one
/// <c>com.microsoft.GroupQueryAttention</c> node (onnxruntime-genai's export; ONNX Runtime's CPU provider has a kernel),
/// fed q and k after the same rotary embedding: same weights, same function, but rows are right-padded (see
/// <see cref="LlamaAttention"/>) and a chunk of more than one token with a past runs at batch 1.
/// </para>
/// </remarks>
public static partial class LlamaDecoder
{
    /// <summary>Rotary embedding's base.</summary>
    public const float RopeTheta = 10000f;

    /// <summary>RMSNorm's epsilon.</summary>
    public const float RmsNormEpsilon = 1e-5f;

    /// <summary>The score given to keys a query may not see, before softmax.</summary>
    public const float MaskedScore = -1e9f;

    /// <summary>The bytes of a decoder model of <paramref name="dims"/> with weights from <paramref name="weights"/>.</summary>
    /// <param name="dims">The decoder's shape.</param>
    /// <param name="weights">Where its weights come from.</param>
    /// <param name="seed">The seed of seeded weights.</param>
    /// <param name="attention">How its layers compute attention; the same weights give the same function either way.</param>
    public static byte[] Build(LlamaDecoderDims dims, LlamaWeights weights = LlamaWeights.RandomFloat, int seed = 7, LlamaAttention attention = LlamaAttention.Standard)
    {
        ILlamaWeightSource source = weights switch
        {
            LlamaWeights.Coded => new CodedLlamaWeights(dims, seed),
            LlamaWeights.RandomFloat => new RandomLlamaWeights(seed),
            _ => throw new ArgumentOutOfRangeException(nameof(weights), weights, "not a weight scheme"),
        };
        return new Writer(dims, source, attention == LlamaAttention.GroupQueryAttention).Write();
    }

    private sealed partial class Writer(LlamaDecoderDims dims, ILlamaWeightSource weights, bool fused)
    {
        private readonly OnnxGraphBuilder _g = new("llama_decoder");

        public byte[] Write()
        {
            if (dims.Heads % dims.KvHeads != 0 || dims.HeadSize % 2 != 0)
            {
                throw new ArgumentException("Heads must be a multiple of KvHeads and HeadSize even.", nameof(dims));
            }

            if (fused && dims.HeadSize % 8 != 0)
            {
                throw new ArgumentException("GroupQueryAttention needs a head size that is a multiple of 8.", nameof(dims));
            }

            var qWidth = dims.Heads * dims.HeadSize;
            var kvWidth = dims.KvHeads * dims.HeadSize;
            _g.Input("input_ids", "INT64", "batch", "seq")
                .Input("attention_mask", "INT64", "batch", "total_seq")
                .Input("position_ids", "INT64", "batch", "seq");
            for (var i = 0; i < dims.Layers; i++)
            {
                _g.Input($"past_key_values.{i}.key", "FP32", "batch", dims.KvHeads, "past_seq", dims.HeadSize)
                    .Input($"past_key_values.{i}.value", "FP32", "batch", dims.KvHeads, "past_seq", dims.HeadSize);
            }

            _g.Output("logits", "FP32", "batch", "seq", dims.Vocab);
            for (var i = 0; i < dims.Layers; i++)
            {
                _g.Output($"present.{i}.key", "FP32", "batch", dims.KvHeads, "total_seq", dims.HeadSize)
                    .Output($"present.{i}.value", "FP32", "batch", dims.KvHeads, "total_seq", dims.HeadSize);
            }

            // The mask's and the masked scores' constants only in the standard graph (ONNX Runtime warns of unused
            // ones), in the order that keeps the standard graph byte for byte what the committed sample holds.
            Int64s("axis_last", -1);
            Standard(() => Int64s("axis_0", 0));
            Int64s("axis_1", 1);
            Int64s("axis_2", 2);
            Int64s("axis_3", 3);
            Standard(() =>
            {
                Int64Scalar("zero_scalar", 0);
                Int64Scalar("one_scalar", 1);
                Int64s("axes_1_2", 1, 2);
            });
            Floats("eps", RmsNormEpsilon);
            Standard(() => Floats("masked", MaskedScore));
            Int64s("one", 1);

            var embedding = Weight("embed_tokens", weights.Embedding(dims.Vocab, dims.Hidden), dims.Vocab, dims.Hidden);
            _g.Node("Gather", [embedding, "input_ids"], ["h_embed"]);
            if (fused)
            {
                SequenceLengths();
            }
            else
            {
                Mask();
            }

            Rotary();

            var h = "h_embed";
            for (var l = 0; l < dims.Layers; l++)
            {
                var p = $"l{l}_";
                var n = RmsNorm(h, Weight(p + "input_norm", weights.Norm(dims.Hidden), dims.Hidden), p + "attn_in");
                string attention;
                if (fused)
                {
                    var q = Project(n, Weight(p + "q_proj", weights.Q(l, dims.Hidden, qWidth), dims.Hidden, qWidth), p + "q");
                    var k = Project(n, Weight(p + "k_proj", weights.K(l, dims.Hidden, kvWidth), dims.Hidden, kvWidth), p + "k");
                    var v = Project(n, Weight(p + "v_proj", weights.V(l, dims.Hidden, kvWidth), dims.Hidden, kvWidth), p + "v");
                    attention = FusedAttention(q, k, v, l, p);
                }
                else
                {
                    var q = Heads(Project(n, Weight(p + "q_proj", weights.Q(l, dims.Hidden, qWidth), dims.Hidden, qWidth), p + "q"), dims.Heads, p + "q");
                    var k = Heads(Project(n, Weight(p + "k_proj", weights.K(l, dims.Hidden, kvWidth), dims.Hidden, kvWidth), p + "k"), dims.KvHeads, p + "k");
                    var v = Heads(Project(n, Weight(p + "v_proj", weights.V(l, dims.Hidden, kvWidth), dims.Hidden, kvWidth), p + "v"), dims.KvHeads, p + "v");
                    q = Rope(q, p + "q");
                    k = Rope(k, p + "k");
                    _g.Node("Concat", [$"past_key_values.{l}.key", k], [$"present.{l}.key"], IntAttribute("axis", 2))
                        .Node("Concat", [$"past_key_values.{l}.value", v], [$"present.{l}.value"], IntAttribute("axis", 2));
                    attention = Attention(q, Repeat($"present.{l}.key", p + "k"), Repeat($"present.{l}.value", p + "v"), p);
                }

                var o = Project(attention, Weight(p + "o_proj", weights.O(l, qWidth, dims.Hidden), qWidth, dims.Hidden), p + "o");
                _g.Node("Add", [h, o], [p + "h_attn"]);
                h = p + "h_attn";

                var m = RmsNorm(h, Weight(p + "post_attention_norm", weights.Norm(dims.Hidden), dims.Hidden), p + "mlp_in");
                var gate = Project(m, Weight(p + "gate_proj", weights.Gate(l, dims.Hidden, dims.Intermediate), dims.Hidden, dims.Intermediate), p + "gate");
                var up = Project(m, Weight(p + "up_proj", weights.Up(l, dims.Hidden, dims.Intermediate), dims.Hidden, dims.Intermediate), p + "up");
                _g.Node("Sigmoid", [gate], [p + "gate_sigmoid"])
                    .Node("Mul", [gate, p + "gate_sigmoid"], [p + "gate_silu"])
                    .Node("Mul", [p + "gate_silu", up], [p + "swiglu"]);
                var down = Project(p + "swiglu", Weight(p + "down_proj", weights.Down(l, dims.Intermediate, dims.Hidden), dims.Intermediate, dims.Hidden), p + "down");
                _g.Node("Add", [h, down], [p + "h_out"]);
                h = p + "h_out";
            }

            var final = RmsNorm(h, Weight("final_norm", weights.Norm(dims.Hidden), dims.Hidden), "final_rms");
            _g.Node("Transpose", [embedding], ["lm_head"], IntsAttribute("perm", 1, 0))
                .Node("MatMul", [final, "lm_head"], ["logits"]);
            return _g.ToBytes();
        }

        // allowed[b, 0, j, k] = k <= past_seq + j && attention_mask[b, k] == 1, shared by every layer.
        private void Mask()
        {
            _g.Node("Shape", ["input_ids"], ["seq_1"], IntAttribute("start", 1), IntAttribute("end", 2))
                .Node("Shape", ["attention_mask"], ["total_1"], IntAttribute("start", 1), IntAttribute("end", 2))
                .Node("Sub", ["total_1", "seq_1"], ["past_1"])
                .Node("Squeeze", ["total_1"], ["total"])
                .Node("Squeeze", ["past_1"], ["past"])
                .Node("Range", ["zero_scalar", "total", "one_scalar"], ["key_index"])
                .Node("Range", ["past", "total", "one_scalar"], ["query_index"])
                .Node("Unsqueeze", ["key_index", "axis_0"], ["key_row"])
                .Node("Unsqueeze", ["query_index", "axis_1"], ["query_column"])
                .Node("LessOrEqual", ["key_row", "query_column"], ["causal"])
                .Node("Equal", ["attention_mask", "one"], ["key_present"])
                .Node("Unsqueeze", ["key_present", "axes_1_2"], ["key_present_4d"])
                .Node("And", ["causal", "key_present_4d"], ["allowed"]);
        }

        // cos and sin of position × inverse frequency, each frequency on dims i and i + head_size/2: [batch, 1, seq,
        // head_size] against heads [batch, heads, seq, head_size], or [batch, seq, 1, head_size] against the
        // [batch, seq, heads, head_size] the fused attention's inputs are reshaped from.
        private void Rotary()
        {
            var half = dims.HeadSize / 2;
            var inverse = new float[dims.HeadSize];
            for (var i = 0; i < half; i++)
            {
                inverse[i] = inverse[i + half] = (float)(1.0 / Math.Pow(RopeTheta, 2.0 * i / dims.HeadSize));
            }

            Floats("inv_freq", inverse);
            _g.Node("Cast", ["position_ids"], ["positions"], IntAttribute("to", 1))
                .Node("Unsqueeze", ["positions", "axis_last"], ["positions_3d"])
                .Node("Mul", ["positions_3d", "inv_freq"], ["angles"])
                .Node("Unsqueeze", ["angles", fused ? "axis_2" : "axis_1"], ["angles_4d"])
                .Node("Cos", ["angles_4d"], ["rope_cos"])
                .Node("Sin", ["angles_4d"], ["rope_sin"]);
            Int64s("half_start", 0);
            Int64s("half_mid", half);
            Int64s("half_end", dims.HeadSize);
        }

        private string Rope(string x, string prefix)
        {
            _g.Node("Slice", [x, "half_start", "half_mid", "axis_3"], [prefix + "_x1"])
                .Node("Slice", [x, "half_mid", "half_end", "axis_3"], [prefix + "_x2"])
                .Node("Neg", [prefix + "_x2"], [prefix + "_neg_x2"])
                .Node("Concat", [prefix + "_neg_x2", prefix + "_x1"], [prefix + "_rotated"], IntAttribute("axis", 3))
                .Node("Mul", [x, "rope_cos"], [prefix + "_cos"])
                .Node("Mul", [prefix + "_rotated", "rope_sin"], [prefix + "_sin"])
                .Node("Add", [prefix + "_cos", prefix + "_sin"], [prefix + "_rope"]);
            return prefix + "_rope";
        }

        private string Attention(string q, string k, string v, string prefix)
        {
            Floats(prefix + "score_scale", (float)(1 / Math.Sqrt(dims.HeadSize)));
            _g.Node("Transpose", [k], [prefix + "k_t"], IntsAttribute("perm", 0, 1, 3, 2))
                .Node("MatMul", [q, prefix + "k_t"], [prefix + "scores_raw"])
                .Node("Mul", [prefix + "scores_raw", prefix + "score_scale"], [prefix + "scores"])
                .Node("Where", ["allowed", prefix + "scores", "masked"], [prefix + "scores_masked"])
                .Node("Softmax", [prefix + "scores_masked"], [prefix + "probs"], IntAttribute("axis", -1))
                .Node("MatMul", [prefix + "probs", v], [prefix + "context"])
                .Node("Transpose", [prefix + "context"], [prefix + "context_t"], IntsAttribute("perm", 0, 2, 1, 3));
            Int64s(prefix + "merge_shape", 0, 0, dims.Heads * dims.HeadSize);
            _g.Node("Reshape", [prefix + "context_t", prefix + "merge_shape"], [prefix + "attention"]);
            return prefix + "attention";
        }

        // [batch, kv_heads, total, head] to [batch, heads, total, head]: query head h reads kv head h / group.
        private string Repeat(string kv, string prefix)
        {
            var group = dims.Heads / dims.KvHeads;
            if (group == 1)
            {
                return kv;
            }

            Int64s(prefix + "_group", 1, 1, group, 1, 1);
            Int64s(prefix + "_heads_shape", 0, dims.Heads, -1, dims.HeadSize);
            _g.Node("Unsqueeze", [kv, "axis_2"], [prefix + "_5d"])
                .Node("Expand", [prefix + "_5d", prefix + "_group"], [prefix + "_expanded"])
                .Node("Reshape", [prefix + "_expanded", prefix + "_heads_shape"], [prefix + "_repeated"]);
            return prefix + "_repeated";
        }

        // [batch, seq, heads * head] to [batch, heads, seq, head].
        private string Heads(string x, int heads, string prefix)
        {
            Int64s(prefix + "_split_shape", 0, 0, heads, dims.HeadSize);
            _g.Node("Reshape", [x, prefix + "_split_shape"], [prefix + "_split"])
                .Node("Transpose", [prefix + "_split"], [prefix + "_heads"], IntsAttribute("perm", 0, 2, 1, 3));
            return prefix + "_heads";
        }

        private string Project(string x, string weight, string output)
        {
            _g.Node("MatMul", [x, weight], [output]);
            return output;
        }

        private string RmsNorm(string x, string weight, string prefix)
        {
            _g.Node("Mul", [x, x], [prefix + "_sq"])
                .Node("ReduceMean", [prefix + "_sq"], [prefix + "_mean_sq"], IntsAttribute("axes", -1), IntAttribute("keepdims", 1))
                .Node("Add", [prefix + "_mean_sq", "eps"], [prefix + "_var"])
                .Node("Sqrt", [prefix + "_var"], [prefix + "_rms"])
                .Node("Div", [x, prefix + "_rms"], [prefix + "_normed"])
                .Node("Mul", [prefix + "_normed", weight], [prefix + "_norm"]);
            return prefix + "_norm";
        }

        // An FP32 weight: the initializer itself, or INT8 cast to FP32 and scaled.
        private string Weight(string name, LlamaTensor tensor, params long[] shape)
        {
            if (tensor.Values is { } values)
            {
                _g.Initializer(name, "FP32", shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
                return name;
            }

            _g.Initializer(name + "_int8", "INT8", shape, MemoryMarshal.AsBytes(tensor.Quantized.AsSpan()).ToArray())
                .Node("Cast", [name + "_int8"], [name + "_cast"], IntAttribute("to", 1));
            if (tensor.Scale == 1)
            {
                return name + "_cast";
            }

            Floats(name + "_scale", tensor.Scale);
            _g.Node("Mul", [name + "_cast", name + "_scale"], [name]);
            return name;
        }

        private void Standard(Action add)
        {
            if (!fused)
            {
                add();
            }
        }

        private void Int64s(string name, params long[] values) =>
            _g.Initializer(name, "INT64", [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

        private void Int64Scalar(string name, long value) => _g.Initializer(name, "INT64", [], BitConverter.GetBytes(value));

        private void Floats(string name, params float[] values) =>
            _g.Initializer(name, "FP32", values.Length == 1 ? [] : [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }
}
