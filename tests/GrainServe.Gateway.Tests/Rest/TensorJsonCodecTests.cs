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
        var bytes = Decode("X", "INT16", "[[1,2],[3,4]]");
        Assert.Equal(new byte[] { 1, 0, 2, 0, 3, 0, 4, 0 }, bytes);
    }

    [Fact]
    public void Decode_NamedFloatLiterals_AreAcceptedForFloats()
    {
        var bytes = Decode("X", "FP32", "[\"NaN\",\"Infinity\",\"-Infinity\"]");
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        Assert.True(float.IsNaN(floats[0]));
        Assert.Equal(float.PositiveInfinity, floats[1]);
        Assert.Equal(float.NegativeInfinity, floats[2]);
    }

    private static byte[] Decode(string name, string datatype, string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        reader.Read();
        return TensorJsonCodec.Decode(name, datatype, ref reader, expectedCount: 0, json.Length);
    }
}
