using System.Globalization;
using GrainServe.Generation;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// The <c>parameters</c> of a Whisper model's config.json: the generation engine's limits under the same names as a
/// text generation model's (<c>kv_cache_bytes</c>, <c>max_num_seqs</c>, ...), the encoder's file, and the audio limits.
/// </summary>
public sealed record WhisperSettings
{
    /// <summary>Default KV pool: 512 MiB, room for about 24 concurrent windows of whisper-tiny (18 MB of cross-attention state each, plus their tokens).</summary>
    public const long DefaultKvCacheBytes = 512L << 20;

    /// <summary>The encoder file when genai_config.json names none.</summary>
    public const string DefaultEncoderFile = "encoder_model.onnx";

    /// <summary>Default of <see cref="MaxAudioSeconds"/>: one hour (its samples and spectrogram alone take about 460 MB).</summary>
    public const double DefaultMaxAudioSeconds = 3600;

    /// <summary>The engine's limits: parameters <c>max_num_seqs</c>, <c>max_num_batched_tokens</c>, <c>kv_cache_bytes</c>, <c>block_size</c>.</summary>
    public EngineOptions Engine { get; init; } = new() { KvCacheBytes = DefaultKvCacheBytes };

    /// <summary>The encoder's ONNX file in the version folder: parameter <c>encoder_filename</c>, else genai_config.json's, else <see cref="DefaultEncoderFile"/>.</summary>
    public string? EncoderFile { get; init; }

    /// <summary>The longest audio one request may send, in seconds: parameter <c>max_audio_seconds</c>.</summary>
    public double MaxAudioSeconds { get; init; } = DefaultMaxAudioSeconds;

    /// <summary>
    /// Beams for beam search at temperature 0 when a request gives no <c>beam_size</c>: parameter <c>beam_size</c>
    /// (faster-whisper's name; OpenAI's form has no such field, so this is how its route gets beam search). Default
    /// null: greedy decoding, as whisper's <c>transcribe()</c> and OpenAI's API.
    /// </summary>
    public int? BeamSize { get; init; }

    /// <summary>Samples to keep the likeliest of above temperature 0 when a request gives no <c>best_of</c>: parameter <c>best_of</c>. Default null: one.</summary>
    public int? BestOf { get; init; }

    /// <summary>Reads the settings; throws <see cref="ModelLoadException"/> listing every bad value.</summary>
    public static WhisperSettings FromConfig(string modelName, ModelConfig config)
    {
        var parameters = config.Parameters ?? [];
        string? Text(string key) => parameters.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value.StringValue) ? value.StringValue : null;

        // The engine's names and checks are the text generation kind's; only the default pool differs.
        var withDefaultPool = ModelConfigJson.Clone(config);
        withDefaultPool.Parameters ??= [];
        if (Text("kv_cache_bytes") is null)
        {
            withDefaultPool.Parameters["kv_cache_bytes"] = new ModelParameterConfig { StringValue = DefaultKvCacheBytes.ToString(CultureInfo.InvariantCulture) };
        }

        var engine = TextGenerationSettings.FromConfig(modelName, withDefaultPool).Engine;
        var maxSeconds = DefaultMaxAudioSeconds;
        if (Text("max_audio_seconds") is { } seconds
            && !(double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out maxSeconds) && maxSeconds > 0 && double.IsFinite(maxSeconds)))
        {
            throw new ModelLoadException($"model '{modelName}': parameter max_audio_seconds is '{seconds}'; use a number of seconds above 0");
        }

        int? Candidates(string key)
        {
            if (Text(key) is not { } value)
            {
                return null;
            }

            return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= WhisperRequest.MaxCandidates
                ? count
                : throw new ModelLoadException($"model '{modelName}': parameter {key} is '{value}'; use a whole number from 1 to {WhisperRequest.MaxCandidates}");
        }

        return new WhisperSettings
        {
            Engine = engine,
            EncoderFile = Text("encoder_filename"),
            MaxAudioSeconds = maxSeconds,
            BeamSize = Candidates("beam_size"),
            BestOf = Candidates("best_of"),
        };
    }
}
