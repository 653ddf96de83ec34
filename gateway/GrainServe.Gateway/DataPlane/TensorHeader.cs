using GrainServe.Contracts;
using GrainServe.Errors;

namespace GrainServe.Gateway.DataPlane;

/// <summary>
/// The checks both protocol adapters make on an input's datatype and shape before decoding its data, so that a
/// bogus shape never sizes an allocation; the same messages whichever protocol the request came by.
/// </summary>
internal static class TensorHeader
{
    /// <summary>Throws InvalidInput unless <paramref name="datatype"/> is one of the protocol's datatypes.</summary>
    public static void CheckDatatype(string name, string datatype)
    {
        if (!InferDatatype.IsKnown(datatype))
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"input '{name}' has unknown datatype '{datatype}'; use one of {string.Join(", ", InferDatatype.All)}");
        }
    }

    /// <summary>Throws InvalidInput for a negative dimension or an element count that overflows.</summary>
    public static void CheckShape(string name, long[] shape)
    {
        if (shape.Any(d => d < 0))
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"input '{name}' has shape [{string.Join(',', shape)}]; dimensions are non-negative integers");
        }

        if (InferDatatype.ElementCount(shape) < 0)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"input '{name}' has shape [{string.Join(',', shape)}], whose element count overflows");
        }
    }
}
