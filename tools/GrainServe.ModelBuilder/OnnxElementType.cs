namespace GrainServe.ModelBuilder;

/// <summary>ONNX's <c>TensorProto.DataType</c> numbers, with the protocol datatype each carries.</summary>
public static class OnnxElementType
{
    /// <summary>The ONNX element type number of a protocol datatype.</summary>
    public static int FromProtocol(string datatype) => datatype switch
    {
        "FP32" => 1,
        "UINT8" => 2,
        "INT8" => 3,
        "UINT16" => 4,
        "INT16" => 5,
        "INT32" => 6,
        "INT64" => 7,
        "BYTES" => 8,
        "BOOL" => 9,
        "FP16" => 10,
        "FP64" => 11,
        "UINT32" => 12,
        "UINT64" => 13,
        "BF16" => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(datatype), datatype, "not a protocol datatype"),
    };
}
