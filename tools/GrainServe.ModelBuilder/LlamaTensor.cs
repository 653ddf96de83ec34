namespace GrainServe.ModelBuilder;

/// <summary>
/// One weight of a <see cref="LlamaDecoder"/>: either INT8 values times a scale (cast to FP32 in the graph) or
/// FP32 values.
/// </summary>
internal sealed record LlamaTensor(sbyte[]? Quantized, float Scale, float[]? Values)
{
    public static LlamaTensor Int8(sbyte[] values, float scale) => new(values, scale, null);

    public static LlamaTensor Float(float[] values) => new(null, 1, values);
}
