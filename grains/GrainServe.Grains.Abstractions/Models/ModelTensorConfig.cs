namespace GrainServe.Models;

/// <summary>One input or output in a <see cref="ModelConfig"/>.</summary>
[GenerateSerializer, Alias("GrainServe.ModelTensorConfig")]
public sealed class ModelTensorConfig
{
    /// <summary>The tensor's name in the ONNX graph.</summary>
    [Id(0)] public string Name { get; set; } = "";

    /// <summary>Triton's datatype name, for example <c>TYPE_FP32</c>.</summary>
    [Id(1)] public string DataType { get; set; } = "";

    /// <summary>The shape without the batch dimension; -1 for a variable dimension.</summary>
    [Id(2)] public long[] Dims { get; set; } = [];
}
