namespace GrainServe.Generation;

/// <summary>
/// One sequence's cross-attention keys and values: what an encoder computed from its input (Whisper's 30 s window),
/// projected for every decoder layer. Handed to the engine as <see cref="GenerationRequest.Conditioning"/>; the step
/// model feeds it at every step of that sequence and never changes it.
/// </summary>
public sealed class CrossAttentionState
{
    /// <summary>Wraps per-layer keys and values, each <c>[heads, positions, head_size]</c> of the decoder's KV type (float[] or Float16[]).</summary>
    /// <exception cref="ArgumentException">The layers disagree in count, type or size.</exception>
    public CrossAttentionState(IReadOnlyList<Array> keys, IReadOnlyList<Array> values, int positions)
    {
        if (keys.Count == 0 || keys.Count != values.Count)
        {
            throw new ArgumentException($"cross-attention state needs the same number of key and value layers, got {keys.Count} and {values.Count}");
        }

        var length = keys[0].Length;
        var type = keys[0].GetType();
        if (keys.Concat(values).Any(a => a.Length != length || a.GetType() != type))
        {
            throw new ArgumentException("cross-attention layers differ in size or element type");
        }

        Keys = keys;
        Values = values;
        Positions = positions;
        Bytes = (long)length * 2 * keys.Count * System.Runtime.InteropServices.Marshal.SizeOf(type.GetElementType()!);
    }

    /// <summary>Per layer, the keys.</summary>
    public IReadOnlyList<Array> Keys { get; }

    /// <summary>Per layer, the values.</summary>
    public IReadOnlyList<Array> Values { get; }

    /// <summary>Encoder positions (1500 for a 30 s Whisper window).</summary>
    public int Positions { get; }

    /// <summary>The memory the state takes: what the engine reserves for it from the KV pool.</summary>
    public long Bytes { get; }

    /// <summary>The state's bytes in tokens' worth of a KV cache taking <paramref name="kvBytesPerToken"/> per token, rounded up.</summary>
    public int TokensOf(long kvBytesPerToken) => (int)Math.Min(int.MaxValue, (Bytes + kvBytesPerToken - 1) / kvBytesPerToken);
}
