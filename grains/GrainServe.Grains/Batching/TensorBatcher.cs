using System.Buffers.Binary;
using GrainServe.Contracts;

namespace GrainServe.Batching;

/// <summary>
/// Joins the inputs of several requests along the batch dimension and splits a batch's outputs back.
/// </summary>
public static class TensorBatcher
{
    /// <summary>
    /// Joins tensor <paramref name="index"/> of every request: shapes <c>[n_i, ...]</c> with equal trailing
    /// dimensions become one <c>[sum n_i, ...]</c>, the bytes concatenated in request order.
    /// </summary>
    public static InferTensor Join(IReadOnlyList<InferTensor[]> requests, int index)
    {
        var first = requests[0][index];
        if (requests.Count == 1)
        {
            return first;
        }

        long rows = 0;
        var bytes = 0;
        foreach (var inputs in requests)
        {
            rows += inputs[index].Shape[0];
            bytes += inputs[index].Data.Length;
        }

        var data = new byte[bytes];
        var offset = 0;
        foreach (var inputs in requests)
        {
            inputs[index].Data.CopyTo(data, offset);
            offset += inputs[index].Data.Length;
        }

        var shape = (long[])first.Shape.Clone();
        shape[0] = rows;
        return new InferTensor(first.Name, first.Datatype, shape, data);
    }

    /// <summary>
    /// Splits a batch output <c>[sum n_i, ...]</c> into one tensor per request with <c>rows[i]</c> rows each.
    /// Throws when the output's first dimension is not the batch's row count.
    /// </summary>
    public static InferTensor[] Split(InferTensor output, IReadOnlyList<int> rows)
    {
        if (rows.Count == 1)
        {
            return [output];
        }

        var totalRows = rows.Sum();
        if (output.Shape.Length == 0 || output.Shape[0] != totalRows)
        {
            throw new InvalidOperationException($"output '{output.Name}' has shape [{string.Join(',', output.Shape)}], which does not start with the batch's {totalRows} rows");
        }

        var parts = new InferTensor[rows.Count];
        var elementsPerRow = InferDatatype.ElementCount(output.Shape.AsSpan(1));
        var elementSize = InferDatatype.ElementSize(output.Datatype);
        var offset = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var length = elementSize > 0
                ? checked((int)(rows[i] * elementsPerRow * elementSize))
                : BytesLength(output.Data.AsSpan(offset), rows[i] * elementsPerRow);
            var shape = (long[])output.Shape.Clone();
            shape[0] = rows[i];
            parts[i] = new InferTensor(output.Name, output.Datatype, shape, output.Data.AsSpan(offset, length).ToArray());
            offset += length;
        }

        return parts;
    }

    // The byte length of the first `count` length-prefixed BYTES elements.
    private static int BytesLength(ReadOnlySpan<byte> data, long count)
    {
        var length = 0;
        for (long i = 0; i < count; i++)
        {
            length += 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(data[length..]);
        }

        return length;
    }
}
