using System.Globalization;
using System.Text.Json;
using GrainServe.Errors;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// OpenAI's transcription <c>chunking_strategy</c> as Whisper's voice activity filter: <c>auto</c> turns it on with its
/// defaults; <c>{"type": "server_vad", "threshold": …, "prefix_padding_ms": …, "silence_duration_ms": …}</c> sets its
/// speech threshold, the padding kept around speech and the pause that ends it (the model's <c>vad_*</c> parameters).
/// </summary>
internal static class ChunkingStrategy
{
    /// <summary>Adds the filter's parameters for <paramref name="value"/>; throws InvalidInput for anything else.</summary>
    public static void Apply(string value, Dictionary<string, string> parameters)
    {
        if (value == "auto")
        {
            parameters["vad_filter"] = "true";
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(value);
        }
        catch (JsonException)
        {
            throw Invalid($"chunking_strategy is '{value}'; use \"auto\" or a JSON object {{\"type\": \"server_vad\", ...}}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "server_vad")
            {
                throw Invalid("chunking_strategy must be \"auto\" or an object whose \"type\" is \"server_vad\"");
            }

            parameters["vad_filter"] = "true";
            foreach (var property in root.EnumerateObject())
            {
                var target = property.Name switch
                {
                    "type" => null,
                    "threshold" => "vad_threshold",
                    "prefix_padding_ms" => "vad_speech_pad_ms",
                    "silence_duration_ms" => "vad_min_silence_duration_ms",
                    _ => throw Invalid($"chunking_strategy has an unknown field \"{property.Name}\"; it takes type, threshold, prefix_padding_ms and silence_duration_ms"),
                };
                if (target is null)
                {
                    continue;
                }

                if (property.Value.ValueKind != JsonValueKind.Number)
                {
                    throw Invalid($"chunking_strategy.{property.Name} must be a number");
                }

                parameters[target] = property.Value.GetDouble().ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);
}
