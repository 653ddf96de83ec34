using System.Buffers.Binary;
using System.Text;
using GrainServe.Contracts;
using GrainServe.TestSupport;

namespace GrainServe.Batching;

public sealed class TensorBatcherTests
{
    [Fact]
    public void JoinThenSplit_FixedSizeRows_GivesBackEachRequestsRows()
    {
        var a = Floats.Tensor("X", [1, 2], 1, 2);
        var b = Floats.Tensor("X", [2, 2], 3, 4, 5, 6);

        var joined = TensorBatcher.Join([[a], [b]], 0);
        var parts = TensorBatcher.Split(joined, [1, 2]);

        Assert.Equal([3L, 2L], joined.Shape);
        Assert.Equal([1f, 2f], Floats.FromBytes(parts[0].Data));
        Assert.Equal([3f, 4f, 5f, 6f], Floats.FromBytes(parts[1].Data));
        Assert.Equal([2L, 2L], parts[1].Shape);
    }

    [Fact]
    public void JoinThenSplit_BytesElements_KeepsVariableLengths()
    {
        var a = Strings("X", "a", "bcd");
        var b = Strings("X", "", "éé");

        var parts = TensorBatcher.Split(TensorBatcher.Join([[a], [b]], 0), [1, 1]);

        Assert.Equal(a.Data, parts[0].Data);
        Assert.Equal(b.Data, parts[1].Data);
    }

    [Fact]
    public void Split_OutputWithoutBatchRows_Throws()
    {
        var output = Floats.Tensor("Y", [3, 2], 1, 2, 3, 4, 5, 6);
        Assert.Throws<InvalidOperationException>(() => TensorBatcher.Split(output, [1, 1]));
    }

    private static InferTensor Strings(string name, params string[] values)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            bytes.AddRange(length);
            bytes.AddRange(utf8);
        }

        return new InferTensor(name, InferDatatype.Bytes, [1, values.Length], [.. bytes]);
    }
}
