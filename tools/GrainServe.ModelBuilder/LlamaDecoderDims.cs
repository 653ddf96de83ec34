namespace GrainServe.ModelBuilder;

/// <summary>The shape of a Llama-style decoder that <see cref="LlamaDecoder"/> builds.</summary>
/// <param name="Layers">Decoder layers (<c>num_hidden_layers</c>).</param>
/// <param name="Hidden">Width of the residual stream and of the token embedding (<c>hidden_size</c>).</param>
/// <param name="Heads">Query heads (<c>num_attention_heads</c>); a multiple of <paramref name="KvHeads"/>.</param>
/// <param name="KvHeads">Key/value heads (<c>num_key_value_heads</c>), each shared by <c>Heads / KvHeads</c> query heads.</param>
/// <param name="HeadSize">Width of one head (<c>head_size</c>); even, since rotary embedding turns pairs of dimensions.</param>
/// <param name="Intermediate">Width of the SwiGLU feed-forward layer (<c>intermediate_size</c>).</param>
/// <param name="Vocab">Vocabulary size: rows of the embedding table and width of the logits.</param>
public sealed record LlamaDecoderDims(int Layers, int Hidden, int Heads, int KvHeads, int HeadSize, int Intermediate, int Vocab)
{
    /// <summary>
    /// The sample repository's <c>tiny_llama</c>: 2 layers, hidden 64, 4 heads over 2 key/value heads of 16,
    /// feed-forward 128, GPT-2's 50257 tokens. The only shape <see cref="LlamaWeights.Coded"/> accepts.
    /// </summary>
    public static LlamaDecoderDims Tiny { get; } = new(2, 64, 4, 2, 16, 128, 50257);

    /// <summary>Bytes of key/value cache one token takes in FP32: layers × (key + value) × kv heads × head size × 4.</summary>
    public long KvBytesPerToken => (long)Layers * 2 * KvHeads * HeadSize * sizeof(float);

    /// <summary>Weights in the matrices (embedding counted once: the output projection is tied to it).</summary>
    public long Parameters =>
        (long)Vocab * Hidden + Hidden + (long)Layers * (2 * Hidden
            + (long)Hidden * Heads * HeadSize * 2 + (long)Hidden * KvHeads * HeadSize * 2
            + 3L * Hidden * Intermediate);
}
