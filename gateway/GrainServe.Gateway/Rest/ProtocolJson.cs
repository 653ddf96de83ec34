using System.Text.Encodings.Web;
using System.Text.Json;

namespace GrainServe.Gateway.Rest;

/// <summary>JSON settings shared by every protocol response.</summary>
internal static class ProtocolJson
{
    /// <summary>
    /// Writes non-ASCII text and quotes as they are rather than as \u escapes: the responses are JSON for
    /// programs, never embedded in HTML, so the HTML-safe default escaping only costs bytes and readability.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the <c>name</c>, <c>datatype</c> and <c>shape</c> properties every protocol tensor object starts with.</summary>
    public static void WriteTensorHeader(Utf8JsonWriter writer, string name, string datatype, long[] shape)
    {
        writer.WriteString("name", name);
        writer.WriteString("datatype", datatype);
        writer.WriteStartArray("shape");
        foreach (var dim in shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
    }
}
