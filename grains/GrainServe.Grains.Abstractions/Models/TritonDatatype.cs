using GrainServe.Contracts;

namespace GrainServe.Models;

/// <summary>
/// Maps Triton's configuration datatype names (<c>TYPE_FP32</c>) to the protocol's (<c>FP32</c>).
/// </summary>
public static class TritonDatatype
{
    private const string Prefix = "TYPE_";

    /// <summary>The protocol datatype for a Triton config datatype, or null when there is none.</summary>
    public static string? ToProtocol(string configDatatype)
    {
        if (!configDatatype.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var name = configDatatype[Prefix.Length..];
        // Triton spells BYTES as TYPE_STRING in model configuration.
        if (name == "STRING")
        {
            return InferDatatype.Bytes;
        }

        return InferDatatype.IsKnown(name) ? name : null;
    }

    /// <summary>The Triton config datatype for a protocol datatype.</summary>
    public static string FromProtocol(string datatype) =>
        datatype == InferDatatype.Bytes ? "TYPE_STRING" : Prefix + datatype;
}
