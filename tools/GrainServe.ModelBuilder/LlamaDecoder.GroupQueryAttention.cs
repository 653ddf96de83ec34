using static GrainServe.ModelBuilder.OnnxGraphBuilder;

namespace GrainServe.ModelBuilder;

// The graph of LlamaAttention.GroupQueryAttention: what replaces the mask and the attention ops of each layer.
public static partial class LlamaDecoder
{
    private sealed partial class Writer
    {
        // onnxruntime-genai's: q and k rotated in [batch, seq, heads, head_size] and flattened back to [batch, seq,
        // heads * head_size], then one GroupQueryAttention node that reads past, writes present and attends causally
        // over each row's seqlens_k + 1 keys. Its scale defaults to 1/√head_size, as the standard path's.
        private string FusedAttention(string q, string k, string v, int layer, string prefix)
        {
            _g.ContribNode(
                "GroupQueryAttention",
                [RopeFlat(q, dims.Heads, prefix + "q"), RopeFlat(k, dims.KvHeads, prefix + "k"), v, $"past_key_values.{layer}.key", $"past_key_values.{layer}.value", "seqlens_k", "total_sequence_length"],
                [prefix + "attention", $"present.{layer}.key", $"present.{layer}.value"],
                IntAttribute("num_heads", dims.Heads),
                IntAttribute("kv_num_heads", dims.KvHeads));
            return prefix + "attention";
        }

        // [batch, seq, heads * head] rotated per head and flattened back.
        private string RopeFlat(string x, int heads, string prefix)
        {
            Int64s(prefix + "_bsnh_shape", 0, 0, heads, dims.HeadSize);
            Int64s(prefix + "_flat_shape", 0, 0, heads * dims.HeadSize);
            _g.Node("Reshape", [x, prefix + "_bsnh_shape"], [prefix + "_bsnh"]);
            _g.Node("Reshape", [Rope(prefix + "_bsnh", prefix), prefix + "_flat_shape"], [prefix + "_rotated_flat"]);
            return prefix + "_rotated_flat";
        }

        // seqlens_k [batch] = the mask's row sums − 1 and total_sequence_length (scalar) = its width, both int32, as
        // onnxruntime-genai's builder computes them: rows must be right-padded for the sums to be their lengths.
        private void SequenceLengths()
        {
            _g.Node("ReduceSum", ["attention_mask", "axis_1"], ["mask_sum"], IntAttribute("keepdims", 0))
                .Node("Sub", ["mask_sum", "one"], ["seqlens_k_int64"])
                .Node("Cast", ["seqlens_k_int64"], ["seqlens_k"], IntAttribute("to", 6))
                .Node("Shape", ["attention_mask"], ["total_1"], IntAttribute("start", 1), IntAttribute("end", 2))
                .Node("Squeeze", ["total_1"], ["total"])
                .Node("Cast", ["total"], ["total_sequence_length"], IntAttribute("to", 6));
        }
    }
}
