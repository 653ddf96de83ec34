namespace GrainServe.Gateway.Fuzz;

/// <summary>What one mutation does to a valid request. The JSON kinds act on one node of the body's tree; the rest on its bytes or headers.</summary>
internal enum MutationKind
{
    /// <summary>Replaces a node with a value from <see cref="FuzzValues.Json"/>: a type swap, a huge or negative number, a lone surrogate, deep nesting.</summary>
    ReplaceValue,

    /// <summary>Renames a property to a name from <see cref="FuzzValues.Names"/> (lone surrogates included).</summary>
    RenameProperty,

    /// <summary>Repeats a property of an object (a duplicate key) or an element of an array.</summary>
    Duplicate,

    /// <summary>Removes a property or an element.</summary>
    Remove,

    /// <summary>Writes a number as a string, or a string that holds a number as that number.</summary>
    NumberAsString,

    /// <summary>Wraps a node in an array: one more nesting level than the route expects.</summary>
    Wrap,

    /// <summary>Flips the bits of one byte.</summary>
    FlipByte,

    /// <summary>Cuts the body short.</summary>
    Truncate,

    /// <summary>Inserts bytes from <see cref="FuzzValues.Bytes"/>: invalid UTF-8, stray quotes and escapes.</summary>
    InsertBytes,

    /// <summary>Sends no body at all.</summary>
    EmptyBody,

    /// <summary>Sends another content type from <see cref="FuzzValues.ContentTypes"/>.</summary>
    ContentType,

    /// <summary>Sets <c>Inference-Header-Content-Length</c> to a value from <see cref="FuzzValues.HeaderLengths"/>.</summary>
    HeaderLength,

    /// <summary>Replaces the model (or version) in the path with one from <see cref="FuzzValues.PathSegments"/>; none names a real model.</summary>
    PathSegment,

    /// <summary>Sends the request with another method.</summary>
    Method,
}
