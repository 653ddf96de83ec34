using GrainServe.ModelBuilder.Audio;

namespace GrainServe.ModelBuilder.Xtts;

/// <summary>
/// The files of an XTTS-style model's version folder: the GPT (with its <c>genai_config.json</c>), the vocoder, the
/// conditioning encoder, the text tokenizer's <c>vocab.json</c> and the built-in voice's reference audio. Random weights: the audio is noise, with the real
/// names and shapes.
/// </summary>
public static class XttsModel
{
    /// <summary>The GPT decoder: the version's main file.</summary>
    public const string GptFile = "gpt.onnx";

    /// <summary>The vocoder: latents and speaker embedding to 24 kHz audio.</summary>
    public const string VocoderFile = "hifigan_decoder.onnx";

    /// <summary>The conditioning encoder: a reference recording's mel to a voice.</summary>
    public const string ConditioningEncoderFile = "conditioning_encoder.onnx";

    /// <summary>XTTS's text tokenizer, a Hugging Face tokenizers BPE file (<see cref="XttsVocabulary"/>).</summary>
    public const string VocabularyFile = "vocab.json";

    /// <summary>The built-in voice's reference recording, a 16-bit WAV; the provider encodes it at load.</summary>
    public const string DefaultVoiceFile = "default_voice.wav";

    /// <summary>Every file of the model, named relative to the version folder; the same arguments give the same bytes.</summary>
    public static IEnumerable<(string Name, byte[] Content)> Files(XttsDims dims, int seed = 11)
    {
        yield return (GptFile, XttsGpt.Build(dims, seed));
        yield return (VocoderFile, XttsVocoder.Build(dims, seed + 2));
        yield return (ConditioningEncoderFile, XttsConditioningEncoder.Build(dims, seed + 6));
        yield return ("genai_config.json", System.Text.Encoding.UTF8.GetBytes(GenAiConfig(dims)));
        yield return (VocabularyFile, XttsVocabulary.Build());
        yield return (DefaultVoiceFile, ReferenceVoice(seconds: 3, hz: 180));
    }

    /// <summary>Writes <see cref="Files"/> into <paramref name="folder"/>, creating it as needed.</summary>
    public static void Write(string folder, XttsDims dims, int seed = 11)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in Files(dims, seed))
        {
            File.WriteAllBytes(Path.Combine(folder, name), content);
        }
    }

    /// <summary>A voiced-sounding reference: a tone with two overtones, 16 kHz mono 16-bit.</summary>
    public static byte[] ReferenceVoice(double seconds, double hz, int rate = 16000) =>
        Pcm16Wav.Create(rate, (int)(seconds * rate), i =>
        {
            var t = i / (double)rate;
            var x = (0.5 * Math.Sin(2 * Math.PI * hz * t)) + (0.25 * Math.Sin(4 * Math.PI * hz * t)) + (0.1 * Math.Sin(6 * Math.PI * hz * t));
            return (short)(x * 0.6 * short.MaxValue);
        });

    /// <summary>The GPT's <c>genai_config.json</c>: its names, context, vocabulary and stop code.</summary>
    public static string GenAiConfig(XttsDims dims) => ($$"""
        {
          "model": {
            "type": "xtts",
            "eos_token_id": {{dims.StopAudioToken}},
            "bos_token_id": {{dims.StartAudioToken}},
            "vocab_size": {{dims.Vocab}},
            "context_length": {{dims.Context}},
            "decoder": {
              "filename": "{{GptFile}}",
              "head_size": {{dims.HeadSize}},
              "hidden_size": {{dims.Hidden}},
              "num_attention_heads": {{dims.Heads}},
              "num_key_value_heads": {{dims.Heads}},
              "num_hidden_layers": {{dims.Layers}},
              "inputs": {
                "input_ids": "input_ids",
                "attention_mask": "attention_mask",
                "position_ids": "position_ids",
                "past_key_names": "past_key_self_%d",
                "past_value_names": "past_value_self_%d",
                "cross_past_key_names": "past_key_cross_%d",
                "cross_past_value_names": "past_value_cross_%d"
              },
              "outputs": {
                "logits": "logits",
                "hidden_states": "hidden_states",
                "present_key_names": "present_key_self_%d",
                "present_value_names": "present_value_self_%d"
              }
            }
          }
        }
        """).ReplaceLineEndings("\n") + "\n";

    /// <summary>
    /// The model's config.json: kind <c>tts_xtts</c>, the GPT as the main file, and the id layout and vocoder hop the
    /// synthesizer needs (a real export's are XTTS-v2's: 1024 codes, start 1024, stop 1025).
    /// </summary>
    public static string Config(string name, XttsDims dims, long kvCacheBytes) => $$"""
        {
          "name": "{{name}}",
          "platform": "onnxruntime_onnx",
          "default_model_filename": "{{GptFile}}",
          "max_batch_size": 0,
          "input": [{ "name": "text", "data_type": "TYPE_STRING", "dims": [1] }],
          "output": [{ "name": "audio", "data_type": "TYPE_FP32", "dims": [-1] }],
          "parameters": {
            "model_kind": { "string_value": "tts_xtts" },
            "kv_cache_bytes": { "string_value": "{{kvCacheBytes}}" },
            "audio_codes": { "string_value": "{{dims.AudioCodes}}" },
            "start_audio_token": { "string_value": "{{dims.StartAudioToken}}" },
            "stop_audio_token": { "string_value": "{{dims.StopAudioToken}}" },
            "text_token_offset": { "string_value": "{{dims.TextTokenOffset}}" },
            "hop_length": { "string_value": "{{dims.HopLength}}" },
            "vocoder_context": { "string_value": "2" },
            "max_codes": { "string_value": "250" }
          }
        }
        """;
}
