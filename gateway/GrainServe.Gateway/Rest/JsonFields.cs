using System.Text.Json;
using GrainServe.Errors;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// Typed reads of request fields that refuse a wrong type with a 400 naming the field, so no request body can reach
/// the cluster half-understood (or fail there with a 500).
/// </summary>
internal static class JsonFields
{
    /// <summary>Parses a request body that must be a JSON object; the caller disposes the document.</summary>
    public static async Task<JsonDocument> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw Invalid($"the request body is not valid JSON: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Invalid("the request body must be a JSON object");
        }

        return document;
    }

    /// <summary>The field's value, or false when it is absent or null.</summary>
    public static bool TryGet(JsonElement parent, string name, out JsonElement value) =>
        parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>A string (text that is not valid UTF-16, such as a lone surrogate escape, is refused).</summary>
    public static string String(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"\"{name}\" must be a string");
        }

        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid($"\"{name}\" holds text that is not valid Unicode (a lone surrogate escape)");
        }
    }

    /// <summary>A property's name (a name that is not valid UTF-16, such as a lone surrogate escape, is refused).</summary>
    public static string Name(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw Invalid("a field name holds text that is not valid Unicode (a lone surrogate escape)");
        }
    }

    /// <summary>A number that fits a float.</summary>
    public static float Float(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) && Math.Abs(number) <= float.MaxValue
            ? (float)number : throw Invalid($"\"{name}\" must be a number");

    /// <summary>A whole number that fits an int.</summary>
    public static int Int(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw Invalid($"\"{name}\" must be a whole number");

    /// <summary>A whole number that fits a long.</summary>
    public static long Long(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : throw Invalid($"\"{name}\" must be a whole number");

    /// <summary>A boolean.</summary>
    public static bool Bool(JsonElement value, string name) =>
        value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Invalid($"\"{name}\" must be true or false");

    /// <summary>A string or an array of strings (OpenAI's <c>stop</c>).</summary>
    public static string[] Strings(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.String => [String(value, name)],
        JsonValueKind.Array => value.EnumerateArray().Select(e => String(e, name)).ToArray(),
        _ => throw Invalid($"\"{name}\" must be a string or an array of strings"),
    };

    /// <summary>A 400 with the message.</summary>
    public static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);
}
