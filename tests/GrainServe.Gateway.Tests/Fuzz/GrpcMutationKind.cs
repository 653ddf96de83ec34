namespace GrainServe.Gateway.Fuzz;

/// <summary>What one mutation does to a valid gRPC request.</summary>
internal enum GrpcMutationKind
{
    /// <summary>Sets an input's datatype to one from <see cref="GrpcValues.Datatypes"/> (unknown and lower-case ones included).</summary>
    Datatype,

    /// <summary>Sets an input's shape to one from <see cref="GrpcValues.Shapes"/>: negative, zero, overflowing dimensions.</summary>
    Shape,

    /// <summary>Adds typed contents of another kind, or more elements than the shape holds.</summary>
    Contents,

    /// <summary>Clears an input's typed contents.</summary>
    ClearContents,

    /// <summary>Replaces, adds or removes a <c>raw_input_contents</c> entry with bytes from <see cref="GrpcValues.Raw"/>.</summary>
    Raw,

    /// <summary>Adds a request, input or output parameter from <see cref="GrpcValues.Parameters"/>.</summary>
    Parameter,

    /// <summary>Renames an input or a requested output.</summary>
    Name,

    /// <summary>Removes an input, or adds a copy of one.</summary>
    InputCount,

    /// <summary>Sets the model or version to one from <see cref="GrpcValues.Models"/>.</summary>
    Model,

    /// <summary>Replaces a BYTES element holding JSON (generation's <c>sampling_parameters</c>) with a JSON mutation of it.</summary>
    Json,

    /// <summary>Flips one byte of the serialized message: a malformed protobuf.</summary>
    FlipByte,

    /// <summary>Cuts the serialized message short.</summary>
    Truncate,
}
