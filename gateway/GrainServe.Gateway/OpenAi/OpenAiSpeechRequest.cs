using System.Globalization;
using System.Text.Json;
using GrainServe.Gateway.Rest;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// A <c>POST /v1/audio/speech</c> body as OpenAI defines it. Every field is served or refused with a 400 naming it;
/// what the voice itself must judge (the voice's name, the text's length, <c>instructions</c>) is the model's, as
/// request parameters of its V2 request.
/// </summary>
/// <param name="Model">The text-to-speech model.</param>
/// <param name="Input">The text, as sent.</param>
/// <param name="Voice">OpenAI's voice name, or a multi-speaker model's speaker.</param>
/// <param name="Format">One of <see cref="SpeechFormats.All"/>; <c>mp3</c> when not given, as OpenAI's.</param>
/// <param name="Speed">0.25 to 4; null for the voice's own rate.</param>
/// <param name="Instructions">How to speak, for a model that takes it; null when not given.</param>
/// <param name="Sse">True for <c>stream_format: "sse"</c>; false for raw audio bytes (<c>"audio"</c>, the default).</param>
/// <param name="Language">
/// GrainServe's own field, not OpenAI's: the language of the text for a voice that takes one (XTTS's <c>en</c>,
/// <c>de</c>, ...); null for the model's default. The model judges it, as the V2 <c>language</c> parameter.
/// </param>
internal sealed record OpenAiSpeechRequest(string Model, string Input, string Voice, string Format, double? Speed, string? Instructions, bool Sse, string? Language = null)
{
    private static readonly string[] Fields = ["model", "input", "voice", "response_format", "speed", "instructions", "stream_format", "language"];

    /// <summary>Reads <paramref name="root"/>, a JSON object; throws a 400 <see cref="GrainServe.Errors.InferenceException"/> for any bad field.</summary>
    public static OpenAiSpeechRequest Read(JsonElement root)
    {
        if (root.EnumerateObject().Select(JsonFields.Name).FirstOrDefault(n => !Fields.Contains(n)) is { } unknown)
        {
            throw JsonFields.Invalid($"unknown field \"{unknown}\"; this route takes {string.Join(", ", Fields)}");
        }

        var model = JsonFields.TryGet(root, "model", out var m) && JsonFields.String(m, "model") is { Length: > 0 } name
            ? name : throw JsonFields.Invalid("\"model\" is required: the text-to-speech model's name");
        var input = JsonFields.TryGet(root, "input", out var i) ? JsonFields.String(i, "input") : throw JsonFields.Invalid("\"input\" is required: the text to speak");
        if (input.Trim().Length == 0)
        {
            throw JsonFields.Invalid("\"input\" is empty: give the text to speak");
        }

        var format = JsonFields.TryGet(root, "response_format", out var f) ? JsonFields.String(f, "response_format") : SpeechFormats.Mp3;
        if (!SpeechFormats.All.Contains(format))
        {
            throw JsonFields.Invalid($"\"response_format\" '{format}' is not supported; use one of {string.Join(", ", SpeechFormats.All)}");
        }

        double? speed = null;
        if (JsonFields.TryGet(root, "speed", out var s))
        {
            speed = s.ValueKind == JsonValueKind.Number && s.TryGetDouble(out var value) && value is >= 0.25 and <= 4.0
                ? value
                : throw JsonFields.Invalid($"\"speed\" is {JsonFields.Snippet(s)}; it must be a number from 0.25 to 4.0");
        }

        var streamFormat = JsonFields.TryGet(root, "stream_format", out var sf) ? JsonFields.String(sf, "stream_format") : "audio";
        if (streamFormat is not ("audio" or "sse"))
        {
            throw JsonFields.Invalid($"\"stream_format\" '{streamFormat}' is not supported; use audio or sse");
        }

        var instructions = JsonFields.TryGet(root, "instructions", out var ins) && JsonFields.String(ins, "instructions") is { Length: > 0 } text ? text : null;
        var language = JsonFields.TryGet(root, "language", out var l) && JsonFields.String(l, "language") is { Length: > 0 } code ? code : null;
        return new OpenAiSpeechRequest(model, input, ReadVoice(root), format, speed, instructions, streamFormat == "sse", language);
    }

    /// <summary>The model's V2 request parameters: the voice, and the speed, instructions and language where given.</summary>
    public Dictionary<string, string> Parameters()
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["voice"] = Voice };
        if (Speed is { } speed)
        {
            parameters["speed"] = speed.ToString("R", CultureInfo.InvariantCulture);
        }

        if (Instructions is not null)
        {
            parameters["instructions"] = Instructions;
        }

        if (Language is not null)
        {
            parameters["language"] = Language;
        }

        return parameters;
    }

    // OpenAI takes a voice's name or {"id": "..."} (a custom voice).
    private static string ReadVoice(JsonElement root)
    {
        if (!JsonFields.TryGet(root, "voice", out var voice))
        {
            throw JsonFields.Invalid("\"voice\" is required: a voice name such as alloy, or a multi-speaker model's speaker");
        }

        var name = voice.ValueKind == JsonValueKind.Object && JsonFields.TryGet(voice, "id", out var id) ? JsonFields.String(id, "voice.id") : JsonFields.String(voice, "voice");
        return name.Length > 0 ? name : throw JsonFields.Invalid("\"voice\" is empty");
    }
}
