using System.Runtime.InteropServices;
using GrainServe.Contracts;
using GrainServe.Gateway.Grpc.Protocol;

namespace GrainServe.Gateway.Grpc;

public sealed class GrpcTensorCodecTests
{
    [Fact]
    public void WideTypes_RoundTripThroughTheirTypedFields_ElementByElement()
    {
        int[] ints = [int.MinValue, -1, 0, int.MaxValue];
        long[] longs = [long.MinValue, -1, 0, long.MaxValue];
        uint[] uints = [0, 1, uint.MaxValue];
        ulong[] ulongs = [0, 1, ulong.MaxValue];
        float[] floats = [float.MinValue, -0f, float.Epsilon, float.NaN];
        double[] doubles = [double.MinValue, -0d, double.Epsilon, double.PositiveInfinity];

        var intContents = RoundTrip(InferDatatype.Int32, ints);
        var longContents = RoundTrip(InferDatatype.Int64, longs);
        var uintContents = RoundTrip(InferDatatype.UInt32, uints);
        var ulongContents = RoundTrip(InferDatatype.UInt64, ulongs);
        var floatContents = RoundTrip(InferDatatype.Fp32, floats);
        var doubleContents = RoundTrip(InferDatatype.Fp64, doubles);

        Assert.Equal(ints, intContents.IntContents);
        Assert.Equal(longs, longContents.Int64Contents);
        Assert.Equal(uints, uintContents.UintContents);
        Assert.Equal(ulongs, ulongContents.Uint64Contents);
        Assert.Equal(floats.Select(BitConverter.SingleToInt32Bits), floatContents.Fp32Contents.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(doubles.Select(BitConverter.DoubleToInt64Bits), doubleContents.Fp64Contents.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void EmptyTypedField_DecodesToNoBytes()
    {
        Assert.Empty(GrpcTensorCodec.Decode("x", InferDatatype.Fp32, new InferTensorContents()));
        Assert.Empty(GrpcTensorCodec.Decode("x", InferDatatype.Int64, null));
    }

    // Encodes the elements' bytes into typed contents, decodes them back, and checks the bytes survived.
    private static InferTensorContents RoundTrip<T>(string datatype, T[] values)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var contents = GrpcTensorCodec.Encode(new InferTensor("x", datatype, [values.Length], bytes));

        Assert.Equal(bytes, GrpcTensorCodec.Decode("x", datatype, contents));
        return contents;
    }
}
