using System.Runtime.InteropServices;
using GrainServe.Generation;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// One voice of an XTTS-style model, as its conditioning encoder computed it from reference audio: the conditioning
/// latents, the speaker embedding the vocoder takes, and the GPT's cross-attention keys and values projected from the
/// latents, which every synthesis in that voice carries as its sequence's conditioning. Immutable.
/// </summary>
internal sealed class XttsVoice
{
    /// <param name="latents">The conditioning latents, <c>[positions, hidden]</c> row-major.</param>
    /// <param name="speaker">The speaker embedding, <c>[512]</c>.</param>
    /// <param name="crossKeys">Per GPT layer, <c>[heads, positions, head_size]</c>.</param>
    /// <param name="crossValues">Per GPT layer, the same shape.</param>
    /// <param name="positions">Conditioning positions (32 for XTTS-v2).</param>
    public XttsVoice(float[] latents, float[] speaker, IReadOnlyList<float[]> crossKeys, IReadOnlyList<float[]> crossValues, int positions)
    {
        Latents = latents;
        Speaker = speaker;
        State = new CrossAttentionState(crossKeys.Cast<Array>().ToList(), crossValues.Cast<Array>().ToList(), positions);
    }

    /// <summary>The conditioning latents, <c>[positions, hidden]</c>.</summary>
    public float[] Latents { get; }

    /// <summary>The speaker embedding the vocoder is conditioned on.</summary>
    public float[] Speaker { get; }

    /// <summary>What a synthesis's sequence is conditioned on.</summary>
    public CrossAttentionState State { get; }

    /// <summary>
    /// The voice as bytes, for grain storage (a float[] would be serialized element by element): a header of int32
    /// counts (latents, speaker, layers, elements per layer tensor, positions), then every float, little-endian.
    /// </summary>
    public byte[] ToBytes()
    {
        var layer = State.Keys[0].Length;
        var header = new[] { Latents.Length, Speaker.Length, State.Keys.Count, layer, State.Positions };
        var floats = Latents.Length + Speaker.Length + (2 * State.Keys.Count * layer);
        var bytes = new byte[(header.Length * sizeof(int)) + (floats * sizeof(float))];
        var span = bytes.AsSpan();
        MemoryMarshal.AsBytes(header.AsSpan()).CopyTo(span);
        var offset = header.Length * sizeof(int);
        foreach (var array in new[] { Latents, Speaker }.Concat(State.Keys.Concat(State.Values).Cast<float[]>()))
        {
            MemoryMarshal.AsBytes(array.AsSpan()).CopyTo(span[offset..]);
            offset += array.Length * sizeof(float);
        }

        return bytes;
    }

    /// <summary>Reads <see cref="ToBytes"/>'s layout.</summary>
    /// <exception cref="ArgumentException">The bytes are not a voice.</exception>
    public static XttsVoice FromBytes(ReadOnlySpan<byte> bytes)
    {
        const int HeaderBytes = 5 * sizeof(int);
        if (bytes.Length < HeaderBytes)
        {
            throw new ArgumentException("a stored voice is shorter than its header");
        }

        var header = MemoryMarshal.Cast<byte, int>(bytes[..HeaderBytes]).ToArray();
        var (latents, speaker, layers, layer, positions) = (header[0], header[1], header[2], header[3], header[4]);
        var expected = HeaderBytes + ((long)latents + speaker + (2L * layers * layer)) * sizeof(float);
        if (latents <= 0 || speaker <= 0 || layers <= 0 || layer <= 0 || positions <= 0 || expected != bytes.Length)
        {
            throw new ArgumentException($"a stored voice of {bytes.Length} bytes does not match its header");
        }

        var floats = MemoryMarshal.Cast<byte, float>(bytes[HeaderBytes..]).ToArray();
        var offset = 0;
        float[] Take(int count)
        {
            var array = floats.AsSpan(offset, count).ToArray();
            offset += count;
            return array;
        }

        var l = Take(latents);
        var s = Take(speaker);
        var keys = Enumerable.Range(0, layers).Select(_ => Take(layer)).ToList();
        var values = Enumerable.Range(0, layers).Select(_ => Take(layer)).ToList();
        return new XttsVoice(l, s, keys, values, positions);
    }
}
