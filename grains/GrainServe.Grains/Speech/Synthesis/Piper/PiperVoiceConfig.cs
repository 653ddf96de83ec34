using System.Text.Json;
using GrainServe.Runtime;

namespace GrainServe.Speech.Synthesis.Piper;

/// <summary>
/// A Piper voice's <c>.onnx.json</c> (beside its model file, as Piper's voices are published): the fields the
/// synthesis reads, with Piper's own defaults where a field is missing.
/// </summary>
/// <param name="SampleRate"><c>audio.sample_rate</c>, Hz.</param>
/// <param name="EspeakVoice"><c>espeak.voice</c>, the espeak-ng voice of the phonemes (<c>en-us</c>).</param>
/// <param name="NoiseScale"><c>inference.noise_scale</c>, default 0.667.</param>
/// <param name="LengthScale"><c>inference.length_scale</c>, default 1: above 1 is slower.</param>
/// <param name="NoiseW"><c>inference.noise_w</c>, default 0.8.</param>
/// <param name="PhonemeIdMap"><c>phoneme_id_map</c>: each phoneme (one code point) to its ids.</param>
/// <param name="NumSpeakers"><c>num_speakers</c>, default 1.</param>
/// <param name="SpeakerIdMap"><c>speaker_id_map</c>: a multi-speaker voice's speaker names to their ids.</param>
internal sealed record PiperVoiceConfig(
    int SampleRate, string EspeakVoice, float NoiseScale, float LengthScale, float NoiseW,
    IReadOnlyDictionary<string, long[]> PhonemeIdMap, int NumSpeakers, IReadOnlyDictionary<string, long> SpeakerIdMap)
{
    /// <summary>Reads <paramref name="path"/>; throws <see cref="ModelLoadException"/> naming what is wrong.</summary>
    public static PiperVoiceConfig Load(string path, string modelName)
    {
        if (!File.Exists(path))
        {
            throw new ModelLoadException($"model '{modelName}': no Piper voice config at '{path}' (a Piper voice is its .onnx file and the .onnx.json beside it)");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return Read(document.RootElement, modelName, Path.GetFileName(path));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new ModelLoadException($"model '{modelName}': {Path.GetFileName(path)} is not a Piper voice config: {ex.Message}", ex);
        }
    }

    private static PiperVoiceConfig Read(JsonElement root, string modelName, string file)
    {
        string Fail(string what) => throw new ModelLoadException($"model '{modelName}': {file}: {what}");
        var type = root.TryGetProperty("phoneme_type", out var t) ? t.GetString() : "espeak";
        if (type != "espeak")
        {
            Fail($"phoneme_type '{type}' is not served; only espeak voices are");
        }

        var rate = root.TryGetProperty("audio", out var audio) && audio.TryGetProperty("sample_rate", out var r) ? r.GetInt32() : 0;
        if (rate <= 0)
        {
            Fail("audio.sample_rate is missing");
        }

        var voice = root.TryGetProperty("espeak", out var espeak) && espeak.TryGetProperty("voice", out var v) ? v.GetString() : null;
        if (string.IsNullOrEmpty(voice))
        {
            Fail("espeak.voice is missing");
        }

        var inference = root.TryGetProperty("inference", out var i) ? i : default;
        float Scale(string name, float fallback) =>
            inference.ValueKind == JsonValueKind.Object && inference.TryGetProperty(name, out var value) ? value.GetSingle() : fallback;

        if (!root.TryGetProperty("phoneme_id_map", out var mapElement) || mapElement.ValueKind != JsonValueKind.Object)
        {
            Fail("phoneme_id_map is missing");
        }

        var map = mapElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetInt64()).ToArray(), StringComparer.Ordinal);
        foreach (var symbol in new[] { PiperPhonemeIds.Pad, PiperPhonemeIds.Bos, PiperPhonemeIds.Eos })
        {
            if (!map.ContainsKey(symbol))
            {
                Fail($"phoneme_id_map has no '{symbol}' (Piper's pad, BOS and EOS are _, ^ and $)");
            }
        }

        var speakers = root.TryGetProperty("num_speakers", out var n) ? n.GetInt32() : 1;
        var speakerMap = root.TryGetProperty("speaker_id_map", out var s) && s.ValueKind == JsonValueKind.Object
            ? s.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal)
            : [];
        return new PiperVoiceConfig(rate, voice!, Scale("noise_scale", 0.667f), Scale("length_scale", 1f), Scale("noise_w", 0.8f), map, Math.Max(1, speakers), speakerMap);
    }
}
