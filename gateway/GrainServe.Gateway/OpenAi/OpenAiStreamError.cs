using System.Text.Json;

namespace GrainServe.Gateway.OpenAi;

/// <summary>The event that ends one of OpenAI's audio streams on a failure after it started: <c>{"type": "error", "error": {...}}</c>.</summary>
internal static class OpenAiStreamError
{
    public static void Write(Utf8JsonWriter writer, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "error");
        writer.WriteStartObject("error");
        writer.WriteString("message", message);
        writer.WriteString("type", "server_error");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
