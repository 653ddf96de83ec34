namespace GrainServe.ModelBuilder;

/// <summary>
/// One dimension of a declared graph input or output: a fixed size, or a named symbol (<c>dim_param</c>) that
/// ONNX Runtime reports as variable. Dimensions sharing a name are the same size, as in Hugging Face exports.
/// </summary>
/// <param name="Value">The fixed size; ignored when <paramref name="Param"/> is set.</param>
/// <param name="Param">The symbol's name, or null for a fixed size.</param>
public readonly record struct OnnxDim(long Value, string? Param)
{
    /// <summary>A fixed size.</summary>
    public static implicit operator OnnxDim(long value) => new(value, null);

    /// <summary>A named symbol.</summary>
    public static implicit operator OnnxDim(string param) => new(0, param);
}
