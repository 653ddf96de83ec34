using System.Globalization;
using GrainServe.Speech.Audio.Vad;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// faster-whisper's <c>vad_filter</c> and its <c>vad_parameters</c>, as a Whisper model's request parameters take them:
/// <c>vad_filter</c> (true or false) and, each prefixed <c>vad_</c>, <c>threshold</c>, <c>neg_threshold</c>,
/// <c>min_speech_duration_ms</c>, <c>max_speech_duration_s</c>, <c>min_silence_duration_ms</c>, <c>speech_pad_ms</c>.
/// Pure: parsing and its errors.
/// </summary>
internal static class VadParameters
{
    /// <summary>Every parameter read here.</summary>
    public static readonly string[] Names =
        ["vad_filter", "vad_threshold", "vad_neg_threshold", "vad_min_speech_duration_ms", "vad_max_speech_duration_s", "vad_min_silence_duration_ms", "vad_speech_pad_ms"];

    /// <summary>The options when <c>vad_filter</c> is true, null when it is not; or a message for a 400.</summary>
    public static (VadOptions? Options, string? Error) Parse(IReadOnlyDictionary<string, string> parameters)
    {
        var filter = false;
        if (parameters.TryGetValue("vad_filter", out var filterText) && !bool.TryParse(filterText, out filter))
        {
            return (null, $"vad_filter must be true or false, got '{filterText}'");
        }

        if (!filter)
        {
            return parameters.Keys.FirstOrDefault(k => k.StartsWith("vad_", StringComparison.Ordinal) && k != "vad_filter") is { } orphan
                ? (null, $"parameter {orphan} needs vad_filter set to true")
                : (null, null);
        }

        var options = new VadOptions();
        string? error = null;
        double Number(string name, double low, double high, double fallback)
        {
            if (!parameters.TryGetValue(name, out var text))
            {
                return fallback;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= low && value <= high)
            {
                return value;
            }

            error ??= $"{name} must be a number from {low.ToString(CultureInfo.InvariantCulture)} to {high.ToString(CultureInfo.InvariantCulture)}, got '{text}'";
            return fallback;
        }

        options = options with
        {
            Threshold = Number("vad_threshold", 0.01, 0.99, options.Threshold),
            NegThreshold = parameters.ContainsKey("vad_neg_threshold") ? Number("vad_neg_threshold", 0.01, 0.99, 0) : null,
            MinSpeechDurationMs = (int)Number("vad_min_speech_duration_ms", 0, 60_000, options.MinSpeechDurationMs),
            MaxSpeechDurationS = Number("vad_max_speech_duration_s", 1, double.PositiveInfinity, options.MaxSpeechDurationS),
            MinSilenceDurationMs = (int)Number("vad_min_silence_duration_ms", 0, 60_000, options.MinSilenceDurationMs),
            SpeechPadMs = (int)Number("vad_speech_pad_ms", 0, 10_000, options.SpeechPadMs),
        };
        return error is null ? (options, null) : (null, error);
    }
}
