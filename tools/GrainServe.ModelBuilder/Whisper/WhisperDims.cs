namespace GrainServe.ModelBuilder.Whisper;

/// <summary>The shape of the Whisper encoder and decoder that <see cref="WhisperModel"/> builds.</summary>
/// <param name="EncoderLayers">Transformer blocks of the encoder.</param>
/// <param name="DecoderLayers">Transformer blocks of the decoder (<c>num_hidden_layers</c>); one cross KV pair each.</param>
/// <param name="Hidden">Width of both residual streams (<c>d_model</c>, <c>hidden_size</c>).</param>
/// <param name="Heads">Attention heads (<c>num_attention_heads</c>), of <paramref name="HeadSize"/> each.</param>
/// <param name="HeadSize">Width of one head (<c>head_size</c>); <c>Heads × HeadSize</c> is <paramref name="Hidden"/>.</param>
/// <param name="Ffn">Width of the GELU feed-forward layers (<c>encoder_ffn_dim</c>, <c>decoder_ffn_dim</c>).</param>
/// <param name="MelBins">Mel bins of <c>audio_features</c> (<c>num_mel_bins</c>).</param>
/// <param name="AudioPositions">Encoder positions (<c>max_source_positions</c>): half the input frames, after the stride-2 conv.</param>
/// <param name="TextContext">Decoder positions (<c>max_target_positions</c>, genai's <c>context_length</c>).</param>
/// <param name="Vocab">Vocabulary size: rows of the token embedding and width of the logits.</param>
public sealed record WhisperDims(
    int EncoderLayers, int DecoderLayers, int Hidden, int Heads, int HeadSize, int Ffn, int MelBins, int AudioPositions, int TextContext, int Vocab)
{
    /// <summary>
    /// whisper-tiny(.en): 4 + 4 layers of width 384, 6 heads of 64, feed-forward 1536, 80 mel bins, 1500 audio positions,
    /// 448 text positions and tiny.en's 51864 tokens (GPT-2's 50257 plus Whisper's English-only specials).
    /// </summary>
    public static WhisperDims Tiny { get; } = new(4, 4, 384, 6, 64, 1536, 80, 1500, 448, 51864);

    /// <summary>
    /// whisper-base.en's width and depth (6 + 6 layers of 512, 8 heads, feed-forward 2048) for benchmarks, with tiny's
    /// audio and text sizes.
    /// </summary>
    public static WhisperDims Base { get; } = new(6, 6, 512, 8, 64, 2048, 80, 1500, 448, 51864);

    /// <summary>Frames of <c>audio_features</c>: two per encoder position (3000 for 30 s of 10 ms hops).</summary>
    public int Frames => 2 * AudioPositions;

    /// <summary>Bytes of self-attention KV cache one decoded token takes in FP32: layers × (key + value) × hidden × 4.</summary>
    public long SelfKvBytesPerToken => (long)DecoderLayers * 2 * Hidden * sizeof(float);

    /// <summary>Bytes of cross-attention KV one audio segment takes in FP32: layers × (key + value) × positions × hidden × 4.</summary>
    public long CrossKvBytesPerSegment => (long)DecoderLayers * 2 * AudioPositions * Hidden * sizeof(float);

    /// <summary>Weights of both graphs (the output projection is tied to the token embedding, the sinusoids are not counted).</summary>
    public long Parameters
    {
        get
        {
            long h = Hidden;
            var block = 4 * h * h + 3 * h + 2 * h * Ffn + Ffn + h + 4 * h;
            var encoder = MelBins * h * 3 + h + h * h * 3 + h + EncoderLayers * block + 2 * h + DecoderLayers * (2 * h * h + h);
            var decoder = (long)Vocab * h + (long)TextContext * h + DecoderLayers * (block + 2 * h * h + 2 * h + 2 * h) + 2 * h;
            return encoder + decoder;
        }
    }
}
