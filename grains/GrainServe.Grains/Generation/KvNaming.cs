namespace GrainServe.Generation;

/// <summary>How a decoder's graph names and shapes its KV cache.</summary>
public enum KvNaming
{
    /// <summary>
    /// Hugging Face Optimum and onnxruntime-genai: <c>past_key_values.{i}.key</c> / <c>.value</c> in and
    /// <c>present.{i}.key</c> / <c>.value</c> out, each <c>[batch, kv_heads, seq, head_size]</c>.
    /// </summary>
    Separate,

    /// <summary>
    /// The legacy GPT-2 export: <c>past_{i}</c> in and <c>present_{i}</c> out, <c>[2, batch, heads, seq, head_size]</c>
    /// with key and value stacked on the first axis.
    /// </summary>
    Stacked,
}
