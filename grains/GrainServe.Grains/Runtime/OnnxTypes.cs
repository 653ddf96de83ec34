using GrainServe.Contracts;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GrainServe.Runtime;

/// <summary>Maps protocol datatypes to ONNX Runtime element types and back.</summary>
internal static class OnnxTypes
{
    public static string? ToProtocol(TensorElementType type) => type switch
    {
        TensorElementType.Bool => InferDatatype.Bool,
        TensorElementType.UInt8 => InferDatatype.UInt8,
        TensorElementType.UInt16 => InferDatatype.UInt16,
        TensorElementType.UInt32 => InferDatatype.UInt32,
        TensorElementType.UInt64 => InferDatatype.UInt64,
        TensorElementType.Int8 => InferDatatype.Int8,
        TensorElementType.Int16 => InferDatatype.Int16,
        TensorElementType.Int32 => InferDatatype.Int32,
        TensorElementType.Int64 => InferDatatype.Int64,
        TensorElementType.Float16 => InferDatatype.Fp16,
        TensorElementType.BFloat16 => InferDatatype.Bf16,
        TensorElementType.Float => InferDatatype.Fp32,
        TensorElementType.Double => InferDatatype.Fp64,
        TensorElementType.String => InferDatatype.Bytes,
        _ => null,
    };

    public static TensorElementType ToOnnx(string datatype) => datatype switch
    {
        InferDatatype.Bool => TensorElementType.Bool,
        InferDatatype.UInt8 => TensorElementType.UInt8,
        InferDatatype.UInt16 => TensorElementType.UInt16,
        InferDatatype.UInt32 => TensorElementType.UInt32,
        InferDatatype.UInt64 => TensorElementType.UInt64,
        InferDatatype.Int8 => TensorElementType.Int8,
        InferDatatype.Int16 => TensorElementType.Int16,
        InferDatatype.Int32 => TensorElementType.Int32,
        InferDatatype.Int64 => TensorElementType.Int64,
        InferDatatype.Fp16 => TensorElementType.Float16,
        InferDatatype.Bf16 => TensorElementType.BFloat16,
        InferDatatype.Fp32 => TensorElementType.Float,
        InferDatatype.Fp64 => TensorElementType.Double,
        InferDatatype.Bytes => TensorElementType.String,
        _ => throw new ArgumentOutOfRangeException(nameof(datatype), datatype, "not a protocol datatype"),
    };
}
