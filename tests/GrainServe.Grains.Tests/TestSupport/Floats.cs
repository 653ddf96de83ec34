using System.Runtime.InteropServices;
using GrainServe.Contracts;

namespace GrainServe.TestSupport;

internal static class Floats
{
    public static byte[] ToBytes(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static float[] FromBytes(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    public static InferTensor Tensor(string name, long[] shape, params float[] values) => new(name, InferDatatype.Fp32, shape, ToBytes(values));

    public static InferenceRequest Request(string? id, params float[] rowValues) =>
        new(id, null, [Tensor("INPUT0", [rowValues.Length / 2, 2], rowValues)], null);
}
