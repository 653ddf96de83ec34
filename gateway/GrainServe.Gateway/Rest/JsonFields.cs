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
        TryGetProperty(parent, name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>
    /// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>, refusing an object whose other field names are not
    /// valid Unicode: the lookup decodes every escaped name it passes, and throws on a lone surrogate escape.
    /// </summary>
    public static bool TryGetProperty(JsonElement parent, string name, out JsonElement value)
    {
        try
        {
            return parent.TryGetProperty(name, out value);
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode("a field name");
        }
    }

    /// <summary>A string (text that is not valid Unicode, invalid UTF-8 or a lone surrogate escape, is refused).</summary>
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
            throw NotUnicode($"\"{name}\"");
        }
    }

    /// <summary>
    /// The string or property name at the reader (text that is not valid Unicode is refused): System.Text.Json checks
    /// the encoding only when it decodes, and throws InvalidOperationException, which would otherwise answer 500.
    /// </summary>
    public static string Text(ref Utf8JsonReader reader, string what)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(what);
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
            throw NotUnicode("a field name");
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

    /// <summary>The value's JSON text, as it was sent (text that is not valid Unicode is refused).</summary>
    public static string RawText(JsonElement value, string what)
    {
        try
        {
            return value.GetRawText();
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(what);
        }
    }

    /// <summary>The start of the value's JSON text for an error message; bytes that are not UTF-8 print as U+FFFD rather than throw.</summary>
    public static string Snippet(JsonElement value)
    {
        var text = System.Text.Encoding.UTF8.GetString(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value));
        return text.Length > 40 ? text[..40] + "…" : text;
    }

    private static InferenceException NotUnicode(string what) =>
        Invalid($"{what} holds text that is not valid Unicode (invalid UTF-8, or a lone surrogate escape such as \\udcff)");

    /// <summary>A 400 with the message.</summary>
    public static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);
}
