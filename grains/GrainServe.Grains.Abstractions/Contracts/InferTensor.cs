namespace GrainServe.Contracts;

/// <summary>
/// One named tensor of an inference request or response, as it crosses grain boundaries.
/// </summary>
/// <remarks>
/// The data is raw bytes in the layout of the Open Inference Protocol's binary extension: fixed-size
/// elements little-endian in row-major order; BYTES elements each preceded by a 4-byte little-endian
/// length. Orleans copies a byte array as one blob, whereas a <c>float[]</c> is encoded element by
/// element. The type is immutable by contract: nobody writes to <see cref="Data"/> after construction,
/// which lets Orleans pass it within a silo without a deep copy.
/// </remarks>
[GenerateSerializer, Immutable, Alias("GrainServe.InferTensor")]
public sealed class InferTensor
{
    /// <summary>Creates a tensor.</summary>
    public InferTensor(string name, string datatype, long[] shape, byte[] data)
    {
        Name = name;
        Datatype = datatype;
        Shape = shape;
        Data = data;
    }

    /// <summary>The tensor's name, as declared in the model configuration.</summary>
    [Id(0)] public string Name { get; }

    /// <summary>The Open Inference Protocol datatype, for example <c>FP32</c> or <c>BYTES</c>; see <see cref="InferDatatype"/>.</summary>
    [Id(1)] public string Datatype { get; }

    /// <summary>The shape, including the batch dimension when the model batches.</summary>
    [Id(2)] public long[] Shape { get; }

    /// <summary>The elements in the binary layout described on the type.</summary>
    [Id(3)] public byte[] Data { get; }
}
