using System.Globalization;
using GrainServe.Generation;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The <c>parameters</c> of an XTTS-style model's config.json: the engine's limits under the text generation kind's
/// names (<c>kv_cache_bytes</c>, <c>max_num_seqs</c>, ...), the files beside the GPT, the id layout of its vocabulary,
/// and the defaults of streaming and sampling (XTTS-v2's), which a request may override.
/// </summary>
public sealed record XttsSettings
{
    /// <summary>Default KV pool: 128 MiB.</summary>
    public const long DefaultKvCacheBytes = 128L << 20;

    /// <summary>The engine's limits, as a text generation model's.</summary>
    public EngineOptions Engine { get; init; } = new() { KvCacheBytes = DefaultKvCacheBytes };

    /// <summary>The vocoder file in the version folder: parameter <c>vocoder_filename</c>, default <c>hifigan_decoder.onnx</c>.</summary>
    public string VocoderFile { get; init; } = "hifigan_decoder.onnx";

    /// <summary>The conditioning encoder file: parameter <c>conditioning_encoder_filename</c>, default <c>conditioning_encoder.onnx</c>.</summary>
    public string ConditioningEncoderFile { get; init; } = "conditioning_encoder.onnx";

    /// <summary>The built-in voice's reference recording: parameter <c>default_voice_filename</c>, default <c>default_voice.wav</c>.</summary>
    public string DefaultVoiceFile { get; init; } = "default_voice.wav";

    /// <summary>
    /// XTTS's text tokenizer, a Hugging Face tokenizers BPE file in the version folder: parameter <c>tokenizer_filename</c>,
    /// default <c>vocab.json</c> (XTTS-v2's name). Without the file, text goes in as UTF-8 bytes with no language token.
    /// </summary>
    public string TokenizerFile { get; init; } = XttsBpeTokenizer.DefaultFile;

    /// <summary>Audio codes the GPT may emit (ids 0 to this, exclusive): parameter <c>audio_codes</c>, default 1024 (XTTS-v2).</summary>
    public int AudioCodes { get; init; } = 1024;

    /// <summary>The code that starts the audio, the prompt's last token: parameter <c>start_audio_token</c>, default 1024.</summary>
    public int StartAudioToken { get; init; } = 1024;

    /// <summary>The code that ends the utterance: parameter <c>stop_audio_token</c>, default 1025.</summary>
    public int StopAudioToken { get; init; } = 1025;

    /// <summary>The id of text token 0 (the vocabulary's ids, or UTF-8 bytes without one, follow from here): parameter <c>text_token_offset</c>, default 1026.</summary>
    public int TextTokenOffset { get; init; } = 1026;

    /// <summary>Samples the vocoder makes per latent: parameter <c>hop_length</c>, default 1024.</summary>
    public int HopLength { get; init; } = 1024;

    /// <summary>Samples per second of the vocoder's audio: parameter <c>sample_rate</c>, default 24000.</summary>
    public int SampleRate { get; init; } = 24000;

    /// <summary>
    /// The most codes one utterance may take (XTTS-v2's <c>gpt_max_audio_tokens</c> is 605): parameter and request
    /// parameter <c>max_codes</c>, default 605. A random-weight GPT rarely emits its stop code, so its utterances run to this.
    /// </summary>
    public int MaxCodes { get; init; } = 605;

    /// <summary>Codes between vocoder runs while streaming (XTTS's <c>stream_chunk_size</c>): parameter and request parameter <c>stream_chunk_size</c>, default 20.</summary>
    public int StreamChunkSize { get; init; } = 20;

    /// <summary>Samples each streamed stretch is crossfaded over (XTTS's <c>overlap_wav_len</c>): parameter <c>overlap_wav_len</c>, default 1024.</summary>
    public int OverlapSamples { get; init; } = 1024;

    /// <summary>
    /// Latents of left context each streamed vocoder run takes before the samples it must get right: the vocoder's
    /// receptive field, in latents. 0 (the default) decodes every latent so far each time, as XTTS's inference_stream
    /// does; a vocoder of known receptive field (the sample's is 1) runs over a window instead, so the work per stretch
    /// stays constant rather than growing with the utterance. Parameter <c>vocoder_context</c>.
    /// </summary>
    public int VocoderContext { get; init; }

    /// <summary>
    /// The most vocoder windows of concurrent syntheses one batched vocoder run takes: parameter <c>vocoder_max_batch</c>,
    /// default 16; 1 runs every window alone. Ignored (1) when the vocoder's graph fixes its batch dimension.
    /// </summary>
    public int VocoderMaxBatch { get; init; } = 16;

    /// <summary>XTTS-v2's sampling defaults (temperature 0.75, top_k 50, top_p 0.85, repetition_penalty 10); request parameters of the same names override them.</summary>
    public SamplingParameters Sampling { get; init; } = new() { Temperature = 0.75f, TopK = 50, TopP = 0.85f, RepetitionPenalty = 10f };

    /// <summary>The longest text per request: parameter <c>max_input_chars</c>, default OpenAI's 4096.</summary>
    public int MaxCharacters { get; init; } = Synthesis.SynthesisRequest.DefaultMaxCharacters;

    /// <summary>Reads the settings; throws <see cref="ModelLoadException"/> listing every bad value.</summary>
    public static XttsSettings FromConfig(string modelName, ModelConfig config)
    {
        var parameters = config.Parameters ?? [];
        var problems = new List<string>();
        string? Text(string key) => parameters.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value.StringValue) ? value.StringValue : null;
        int Int(string key, int fallback, int min)
        {
            if (Text(key) is not { } text)
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min)
            {
                return value;
            }

            problems.Add($"parameter {key} is '{text}'; use a whole number of at least {min}");
            return fallback;
        }

        var withDefaultPool = ModelConfigJson.Clone(config);
        withDefaultPool.Parameters ??= [];
        if (Text("kv_cache_bytes") is null)
        {
            withDefaultPool.Parameters["kv_cache_bytes"] = new ModelParameterConfig { StringValue = DefaultKvCacheBytes.ToString(CultureInfo.InvariantCulture) };
        }

        var defaults = new XttsSettings();
        var settings = new XttsSettings
        {
            Engine = TextGenerationSettings.FromConfig(modelName, withDefaultPool).Engine,
            VocoderFile = Text("vocoder_filename") ?? defaults.VocoderFile,
            ConditioningEncoderFile = Text("conditioning_encoder_filename") ?? defaults.ConditioningEncoderFile,
            DefaultVoiceFile = Text("default_voice_filename") ?? defaults.DefaultVoiceFile,
            TokenizerFile = Text("tokenizer_filename") ?? defaults.TokenizerFile,
            AudioCodes = Int("audio_codes", defaults.AudioCodes, 1),
            StartAudioToken = Int("start_audio_token", defaults.StartAudioToken, 0),
            StopAudioToken = Int("stop_audio_token", defaults.StopAudioToken, 0),
            TextTokenOffset = Int("text_token_offset", defaults.TextTokenOffset, 0),
            HopLength = Int("hop_length", defaults.HopLength, 1),
            SampleRate = Int("sample_rate", defaults.SampleRate, 1),
            MaxCodes = Int("max_codes", defaults.MaxCodes, 1),
            StreamChunkSize = Int("stream_chunk_size", defaults.StreamChunkSize, 1),
            OverlapSamples = Int("overlap_wav_len", defaults.OverlapSamples, 1),
            VocoderContext = Int("vocoder_context", defaults.VocoderContext, 0),
            VocoderMaxBatch = Int("vocoder_max_batch", defaults.VocoderMaxBatch, 1),
            MaxCharacters = Int("max_input_chars", defaults.MaxCharacters, 1),
        };

        if ((long)settings.StreamChunkSize * settings.HopLength < settings.OverlapSamples)
        {
            problems.Add($"stream_chunk_size {settings.StreamChunkSize} × hop_length {settings.HopLength} is under overlap_wav_len {settings.OverlapSamples}: a streamed stretch must hold its crossfade");
        }

        return problems.Count == 0 ? settings : throw new ModelLoadException($"model '{modelName}': {string.Join("; ", problems)}");
    }
}
