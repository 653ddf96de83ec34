namespace GrainServe.ModelBuilder;

/// <summary>How a <see cref="LlamaDecoder"/>'s layers compute attention; the weights and the function are the same either way.</summary>
public enum LlamaAttention
{
    /// <summary>
    /// Standard opset-17 ops (MatMul, a causal mask in padded coordinates and'ed with <c>attention_mask</c>, Softmax),
    /// present as past then this step's vectors: rows may be left-padded, as Hugging Face Optimum exports are.
    /// </summary>
    Standard,

    /// <summary>
    /// One <c>com.microsoft.GroupQueryAttention</c> node per layer, as onnxruntime-genai's model builder exports
    /// Llama: <c>seqlens_k</c> (the mask's row sums − 1, int32) and <c>total_sequence_length</c> (the mask's width)
    /// computed from <c>attention_mask</c> in the graph, rotary embedding applied before the node. The operator reads
    /// each row's past as right-padded (its first <c>seqlens_k + 1 − seq</c> positions) and writes the row's new vectors
    /// right after them, so rows batch right-padded, never left-padded.
    /// </summary>
    GroupQueryAttention,
}
