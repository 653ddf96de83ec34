namespace GrainServe.Models;

/// <summary>
/// A model input or output as the Open Inference Protocol's model metadata describes it.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.TensorMetadata")]
public sealed class TensorMetadata
{
    /// <summary>Creates tensor metadata.</summary>
    public TensorMetadata(string name, string datatype, long[] shape)
    {
        Name = name;
        Datatype = datatype;
        Shape = shape;
    }

    /// <summary>The tensor's name.</summary>
    [Id(0)] public string Name { get; }

    /// <summary>The protocol datatype, for example <c>FP32</c>.</summary>
    [Id(1)] public string Datatype { get; }

    /// <summary>
    /// The shape a request must have: -1 marks a dimension of any size. When the model batches
    /// (<c>max_batch_size</c> &gt; 0) the first dimension is the batch dimension and is -1.
    /// </summary>
    [Id(2)] public long[] Shape { get; }
}
