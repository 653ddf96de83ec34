using System.Runtime.InteropServices;
using Google.Protobuf;
using GrainServe.Gateway.Grpc.Protocol;

namespace GrainServe.TestSupport;

/// <summary>Builders for gRPC inference requests in the tests.</summary>
internal static class Tensors
{
    public static ModelInferRequest.Types.InferInputTensor Input(string name, string datatype, long[] shape, InferTensorContents? contents = null)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype, Contents = contents };
        input.Shape.AddRange(shape);
        return input;
    }

    public static InferTensorContents Ints(params int[] values)
    {
        var contents = new InferTensorContents();
        contents.IntContents.AddRange(values);
        return contents;
    }

    public static InferTensorContents Floats(params float[] values)
    {
        var contents = new InferTensorContents();
        contents.Fp32Contents.AddRange(values);
        return contents;
    }

    public static ByteString Raw(params float[] values) => ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));

    public static ModelInferRequest Simple(string? id = null, int offset = 0)
    {
        var request = new ModelInferRequest { ModelName = "simple", Id = id ?? "" };
        request.Inputs.Add(Input("INPUT0", "INT32", [1, 16], Ints(Enumerable.Range(offset, 16).ToArray())));
        request.Inputs.Add(Input("INPUT1", "INT32", [1, 16], Ints(Enumerable.Repeat(1, 16).ToArray())));
        return request;
    }
}
