using System.Text.Json;

namespace GrainServe.Gateway.Rest;

public sealed class TensorJsonCodecTests
{
    [Theory]
    [InlineData(1.0f, 0x3F80)]
    [InlineData(-2.0f, 0xC000)]
    [InlineData(3.14159f, 0x4049)]
    [InlineData(1.00390625f, 0x3F80)]
    [InlineData(1.01171875f, 0x3F82)]
    public void ToBFloat16_RoundsToNearestEven(float value, int expected)
    {
        Assert.Equal((ushort)expected, TensorJsonCodec.ToBFloat16(value));
    }

    [Fact]
    public void Decode_NestedArrays_FlattenInRowMajorOrder()
    {
        using var doc = JsonDocument.Parse("[[1,2],[3,4]]");
        var bytes = TensorJsonCodec.Decode("X", "INT16", doc.RootElement);
        Assert.Equal(new byte[] { 1, 0, 2, 0, 3, 0, 4, 0 }, bytes);
    }

    [Fact]
    public void Decode_NamedFloatLiterals_AreAcceptedForFloats()
    {
        using var doc = JsonDocument.Parse("[\"NaN\",\"Infinity\",\"-Infinity\"]");
        var bytes = TensorJsonCodec.Decode("X", "FP32", doc.RootElement);
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        Assert.True(float.IsNaN(floats[0]));
        Assert.Equal(float.PositiveInfinity, floats[1]);
        Assert.Equal(float.NegativeInfinity, floats[2]);
    }
}
