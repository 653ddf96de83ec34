using GrainServe.Errors;
using Microsoft.Extensions.Primitives;

namespace GrainServe.Gateway.OpenAi;

/// <summary>A form field or query parameter given at most once: a repeated one is a 400 naming it, never a guess.</summary>
internal static class SingleValue
{
    /// <summary>The one value of <paramref name="field"/>, or null when it is not given; InvalidInput when given more than once.</summary>
    public static string? Of(StringValues values, string field) => values.Count switch
    {
        0 => null,
        1 => values[0],
        _ => throw new InferenceException(InferenceErrorCode.InvalidInput, $"\"{field}\" is given {values.Count} times; give it once"),
    };
}
