using System.Buffers.Binary;

namespace GrainServe.Contracts;

/// <summary>
/// The binary layout of a BYTES tensor: each element as a 4-byte little-endian length and then its bytes (the
/// protocol's raw layout, which <see cref="InferTensor.Data"/> uses for BYTES).
/// </summary>
public static class BytesElements
{
    /// <summary>Lays out <paramref name="elements"/> one after another, each after its length.</summary>
    public static byte[] Pack(IReadOnlyList<byte[]> elements)
    {
        var bytes = new byte[elements.Sum(e => 4 + e.Length)];
        var offset = 0;
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), (uint)element.Length);
            element.CopyTo(bytes, offset + 4);
            offset += 4 + element.Length;
        }

        return bytes;
    }

    /// <summary>The elements of <paramref name="data"/>, in order; the data must be well formed (validation checks it).</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> Unpack(ReadOnlyMemory<byte> data)
    {
        var offset = 0;
        while (offset + 4 <= data.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.Span[offset..]);
            yield return data.Slice(offset + 4, length);
            offset += 4 + length;
        }
    }
}
