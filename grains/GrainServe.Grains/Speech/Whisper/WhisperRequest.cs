using System.Globalization;
using GrainServe.Contracts;
using GrainServe.Speech.Transcription;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// A transcription as a Whisper model's V2 request carries it: one BYTES input holding the audio file, and the options
/// as request parameters with OpenAI's names (<c>language</c>, <c>prompt</c>, <c>temperature</c>, <c>response_format</c>,
/// <c>timestamp_granularities</c>) plus <c>task</c> (<c>transcribe</c> or <c>translate</c>). Pure: parsing and its errors.
/// </summary>
/// <param name="Audio">The audio file's bytes.</param>
/// <param name="Options">Whisper's options for the whole recording.</param>
/// <param name="ResponseFormat">What the <c>text</c> output holds: <c>text</c> (the default), <c>json</c>, <c>verbose_json</c>, <c>srt</c> or <c>vtt</c>.</param>
/// <param name="Seed">Seeds each window's sampling (parameter <c>seed</c>), so a transcription that falls back to sampling is reproducible; null seeds it from the audio file's hash.</param>
/// <param name="IgnoreEndOfText">Parameter <c>ignore_eos</c>: never end a window early, always sample <c>max_tokens</c> (for benchmarks, as vLLM's).</param>
internal sealed record WhisperRequest(ReadOnlyMemory<byte> Audio, TranscribeOptions Options, string ResponseFormat, long? Seed = null, bool IgnoreEndOfText = false)
{
    private static readonly string[] Formats =
    [
        TranscriptResponseFormats.Text, TranscriptResponseFormats.Json, TranscriptResponseFormats.VerboseJson,
        TranscriptResponseFormats.Srt, TranscriptResponseFormats.Vtt,
    ];

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "language", "prompt", "temperature", "response_format", "timestamp_granularities", "task", "max_tokens",
        "temperature_increment_on_fallback", "seed", "ignore_eos", "beam_size", "best_of",
    };

    /// <summary>The most beams (<c>beam_size</c>) or samples (<c>best_of</c>) one window may take: each holds a copy of the window's cross-attention state in the KV pool.</summary>
    public const int MaxCandidates = 16;

    /// <summary>Reads <paramref name="request"/>; the error is a message for a 400, or null.</summary>
    /// <param name="request">The V2 request.</param>
    /// <param name="multilingual">Whether the model knows languages other than English and can translate.</param>
    /// <param name="defaultBeamSize">The model's <c>beam_size</c> when the request gives none (config.json's parameter), or null for greedy decoding.</param>
    /// <param name="defaultBestOf">The model's <c>best_of</c> when the request gives none, or null for one sample.</param>
    public static (WhisperRequest? Request, string? Error) Parse(InferenceRequest request, bool multilingual, int? defaultBeamSize = null, int? defaultBestOf = null)
    {
        if (request.Inputs.Length != 1 || request.Inputs[0].Datatype != InferDatatype.Bytes)
        {
            return (null, "a Whisper model takes one BYTES input holding the audio file (WAV, FLAC, MP3, Ogg, ...)");
        }

        var input = request.Inputs[0];
        var elements = BytesElements.Unpack(input.Data).ToList();
        if (elements.Count != 1)
        {
            return (null, $"input '{input.Name}' must hold exactly one element, the audio file; it holds {elements.Count}");
        }

        var parameters = request.Parameters ?? [];
        if (parameters.Keys.FirstOrDefault(k => !Known.Contains(k)) is { } unknown)
        {
            return (null, $"unknown parameter '{unknown}'; a Whisper model takes {string.Join(", ", Known.Order(StringComparer.Ordinal))}");
        }

        var options = new TranscribeOptions();
        if (parameters.TryGetValue("language", out var language) && language.Length > 0)
        {
            var code = WhisperLanguages.ToCode(language);
            if (code is null)
            {
                return (null, $"unknown language '{language}'; use an ISO-639-1 code Whisper knows, such as en, de, fr, ja");
            }

            if (!multilingual && code != "en")
            {
                return (null, $"this model is English-only: it cannot transcribe language '{language}'");
            }

            options = options with { Language = code };
        }
        else if (!multilingual)
        {
            options = options with { Language = "en" };
        }

        if (parameters.TryGetValue("task", out var task))
        {
            switch (task)
            {
                case "transcribe":
                    break;
                case "translate" when multilingual:
                    options = options with { Task = TranscriptionTask.Translate };
                    break;
                case "translate":
                    return (null, "this model is English-only: it cannot translate");
                default:
                    return (null, $"parameter task is '{task}'; use transcribe or translate");
            }
        }

        if (parameters.TryGetValue("prompt", out var prompt) && prompt.Length > 0)
        {
            options = options with { InitialPrompt = prompt };
        }

        if (parameters.TryGetValue("temperature", out var text))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var temperature) || !(temperature >= 0 && temperature <= 1))
            {
                return (null, $"temperature must be a number from 0 to 1, got '{text}'");
            }

            // As OpenAI's: 0 (the default) lets Whisper raise the temperature when a window fails its thresholds; another
            // value starts that fallback there.
            options = options with
            {
                Temperatures = temperature == 0 ? TranscribeOptions.DefaultTemperatures : [temperature, .. TranscribeOptions.DefaultTemperatures.Where(t => t > temperature + 1e-9)],
            };
        }

        if (parameters.TryGetValue("temperature_increment_on_fallback", out var incrementText))
        {
            if (!double.TryParse(incrementText, NumberStyles.Float, CultureInfo.InvariantCulture, out var increment) || !(increment >= 0 && increment <= 1))
            {
                return (null, $"temperature_increment_on_fallback must be a number from 0 (no fallback) to 1, got '{incrementText}'");
            }

            // whisper's CLI: temperatures from the first one to 1.0 in these steps; 0 keeps only the first.
            var first = options.Temperatures[0];
            var steps = new List<double> { first };
            for (var t = first + increment; increment > 0 && t <= 1.0 + 1e-6; t += increment)
            {
                steps.Add(Math.Round(t, 6));
            }

            options = options with { Temperatures = steps };
        }

        long? seed = null;
        if (parameters.TryGetValue("seed", out var seedText))
        {
            seed = long.TryParse(seedText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : null;
            if (seed is null)
            {
                return (null, $"seed must be a whole number, got '{seedText}'");
            }
        }

        var ignoreEos = false;
        if (parameters.TryGetValue("ignore_eos", out var ignoreText) && !bool.TryParse(ignoreText, out ignoreEos))
        {
            return (null, $"ignore_eos must be true or false, got '{ignoreText}'");
        }

        if (parameters.TryGetValue("max_tokens", out var maxText))
        {
            if (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out var max) || max < 1 || max > 224)
            {
                return (null, $"max_tokens (tokens sampled per 30 s window) must be a whole number from 1 to 224, got '{maxText}'");
            }

            options = options with { SampleLength = max };
        }

        // Beam search (at temperature 0) and best-of (above it), as whisper's beam_size and best_of.
        var (beamSize, beamError) = Candidates(parameters, "beam_size", defaultBeamSize);
        var (bestOf, bestOfError) = Candidates(parameters, "best_of", defaultBestOf);
        if ((beamError ?? bestOfError) is { } candidatesError)
        {
            return (null, candidatesError);
        }

        options = options with { BeamSize = beamSize, BestOf = bestOf };
        var format = parameters.GetValueOrDefault("response_format", TranscriptResponseFormats.Text);
        if (!Formats.Contains(format))
        {
            return (null, $"response_format is '{format}'; use one of {string.Join(", ", Formats)}");
        }

        if (parameters.TryGetValue("timestamp_granularities", out var granularities))
        {
            foreach (var granularity in granularities.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (granularity == "word")
                {
                    options = options with { WordTimestamps = true };
                }
                else if (granularity != "segment")
                {
                    return (null, $"timestamp_granularities holds '{granularity}'; use segment, word or both");
                }
            }
        }

        return (new WhisperRequest(elements[0], options, format, seed, ignoreEos), null);
    }

    private static (int? Value, string? Error) Candidates(IReadOnlyDictionary<string, string> parameters, string name, int? fallback)
    {
        if (!parameters.TryGetValue(name, out var text))
        {
            return (fallback, null);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxCandidates
            ? (value, null)
            : (null, $"{name} must be a whole number from 1 to {MaxCandidates}, got '{text}'");
    }
}
