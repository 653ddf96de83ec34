using System.Globalization;
using System.Text;
using GrainServe.Contracts;

namespace GrainServe.Speech.Synthesis;

/// <summary>
/// A synthesis as a text-to-speech model's V2 request carries it: one BYTES input with one element, the UTF-8 text, and
/// OpenAI's speech options as request parameters (<c>voice</c>, <c>speed</c>) plus <c>language</c> and <c>seed</c>.
/// Parameters only one kind of voice takes (XTTS's <c>temperature</c>, ...) stay in <see cref="Parameters"/> for its
/// synthesizer. Pure: parsing and its errors.
/// </summary>
/// <param name="Text">What to say, trimmed, never empty.</param>
/// <param name="Voice">The voice asked for; null for the model's default.</param>
/// <param name="Speed">Speaking rate, 0.25 to 4; 1 is the voice's own.</param>
/// <param name="Language">A language code for voices that take one (XTTS); null for the model's default.</param>
/// <param name="Seed">Seeds sampling where the voice samples; null for a seed derived from the text.</param>
/// <param name="Parameters">Every request parameter, the ones above included.</param>
internal sealed record SynthesisRequest(
    string Text, string? Voice, double Speed, string? Language, long? Seed, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>OpenAI's limit on <c>input</c>, the default of a model's <c>max_input_chars</c>.</summary>
    public const int DefaultMaxCharacters = 4096;

    /// <summary>The slowest and fastest <c>speed</c>, as OpenAI's.</summary>
    public const double MinSpeed = 0.25, MaxSpeed = 4.0;

    private static readonly string[] Common = ["voice", "speed", "language", "seed"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <paramref name="request"/>; the error is a message for a 400, or null.</summary>
    /// <param name="request">The V2 request.</param>
    /// <param name="maxCharacters">The longest text the model takes.</param>
    /// <param name="extraParameters">Parameters the model's synthesizer reads beyond the common ones.</param>
    public static (SynthesisRequest? Request, string? Error) Parse(InferenceRequest request, int maxCharacters, IReadOnlyCollection<string> extraParameters)
    {
        if (request.Inputs.Length != 1 || request.Inputs[0].Datatype != InferDatatype.Bytes)
        {
            return (null, "a text-to-speech model takes one BYTES input holding the text to speak");
        }

        var input = request.Inputs[0];
        var elements = BytesElements.Unpack(input.Data).ToList();
        if (elements.Count != 1)
        {
            return (null, $"input '{input.Name}' must hold exactly one element, the text; it holds {elements.Count}");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(elements[0].Span).Trim();
        }
        catch (DecoderFallbackException)
        {
            return (null, $"input '{input.Name}' is not valid UTF-8 text");
        }

        if (text.Length == 0)
        {
            return (null, "the text to speak is empty");
        }

        if (text.Length > maxCharacters)
        {
            return (null, $"the text is {text.Length} characters; this model speaks at most {maxCharacters} per request");
        }

        var parameters = request.Parameters ?? [];
        if (parameters.Keys.FirstOrDefault(k => !Common.Contains(k) && !extraParameters.Contains(k)) is { } unknown)
        {
            return (null, $"unknown parameter '{unknown}'; this model takes {string.Join(", ", Common.Concat(extraParameters).Order(StringComparer.Ordinal))}");
        }

        var speed = 1.0;
        if (parameters.TryGetValue("speed", out var speedText)
            && (!double.TryParse(speedText, NumberStyles.Float, CultureInfo.InvariantCulture, out speed) || !(speed >= MinSpeed && speed <= MaxSpeed)))
        {
            return (null, $"speed must be a number from {MinSpeed} to {MaxSpeed}, got '{speedText}'");
        }

        long? seed = null;
        if (parameters.TryGetValue("seed", out var seedText))
        {
            if (!long.TryParse(seedText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return (null, $"seed must be a whole number, got '{seedText}'");
            }

            seed = value;
        }

        var voice = parameters.GetValueOrDefault("voice") is { Length: > 0 } v ? v : null;
        var language = parameters.GetValueOrDefault("language") is { Length: > 0 } l ? l : null;
        return (new SynthesisRequest(text, voice, speed, language, seed, parameters), null);
    }
}
