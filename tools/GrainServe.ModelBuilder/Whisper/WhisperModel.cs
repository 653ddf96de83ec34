namespace GrainServe.ModelBuilder.Whisper;

/// <summary>
/// A Whisper model folder in onnxruntime-genai's layout: <see cref="EncoderFile"/> (see <see cref="WhisperEncoder"/>),
/// <see cref="DecoderFile"/> (see <see cref="WhisperDecoder"/>) and <see cref="GenAiConfigFile"/> describing both.
/// </summary>
/// <remarks>
/// Neither weight scheme makes the decoder exactly batch-invariant: the integers of <see cref="WhisperWeights.Int8"/>
/// keep each weight exact, but LayerNorm, GELU and softmax turn every activation after the embedding into an arbitrary
/// float, so whether a row gives the same bits alone and in a padded batch is up to the kernels' summation order.
/// Measured on ONNX Runtime's CPU kernels: the encoder and every row-wise op are bitwise batch-invariant; the decoder's
/// masked self-attention is not once a row's keys are more (padding) or sit elsewhere (left padding, or a past whose
/// padding precedes the new token) than alone, and its logits then differ by a few ulps (up to 2e-6 on logits up to 3).
/// A prompt step with right padding, whose keys sit where they sit alone, was bitwise equal.
/// </remarks>
public static class WhisperModel
{
    /// <summary>The encoder's file name, as genai's Whisper exports name it.</summary>
    public const string EncoderFile = "encoder_model.onnx";

    /// <summary>The decoder's file name, as genai's Whisper exports name it.</summary>
    public const string DecoderFile = "decoder_model.onnx";

    /// <summary>onnxruntime-genai's configuration file.</summary>
    public const string GenAiConfigFile = "genai_config.json";

    /// <summary><c>&lt;|endoftext|&gt;</c> of the English-only vocabulary (GPT-2's): eos and pad.</summary>
    public const int EndOfText = 50256;

    /// <summary><c>&lt;|startoftranscript|&gt;</c> of the English-only vocabulary: bos.</summary>
    public const int StartOfTranscript = 50257;

    /// <summary>
    /// Every file of the model: its name and bytes. Encoder and decoder of one <paramref name="seed"/> are a pair
    /// (the decoder draws from its own stream), and the same arguments always give the same bytes.
    /// </summary>
    public static IEnumerable<(string Name, byte[] Content)> Files(WhisperDims dims, WhisperWeights weights = WhisperWeights.RandomFloat, int seed = 7)
    {
        yield return (EncoderFile, WhisperEncoder.Build(dims, weights, seed));
        yield return (DecoderFile, WhisperDecoder.Build(dims, weights, seed));
        yield return (GenAiConfigFile, System.Text.Encoding.UTF8.GetBytes(GenAiConfig(dims)));
    }

    /// <summary>Writes <see cref="Files"/> into <paramref name="folder"/>, creating it as needed.</summary>
    public static void Write(string folder, WhisperDims dims, WhisperWeights weights = WhisperWeights.RandomFloat, int seed = 7)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in Files(dims, weights, seed))
        {
            File.WriteAllBytes(Path.Combine(folder, name), content);
        }
    }

    /// <summary>
    /// The <c>genai_config.json</c> of a model of <paramref name="dims"/>, in the format of onnxruntime-genai's Whisper
    /// exports, with the decoder's <c>attention_mask</c> and <c>position_ids</c> inputs added.
    /// </summary>
    public static string GenAiConfig(WhisperDims dims) => ($$"""
        {
          "model": {
            "type": "whisper",
            "bos_token_id": {{StartOfTranscript}},
            "eos_token_id": {{EndOfText}},
            "pad_token_id": {{EndOfText}},
            "vocab_size": {{dims.Vocab}},
            "context_length": {{dims.TextContext}},
            "encoder": {
              "session_options": { "log_id": "onnxruntime-genai", "provider_options": [] },
              "filename": "{{EncoderFile}}",
              "head_size": {{dims.HeadSize}},
              "hidden_size": {{dims.Hidden}},
              "num_attention_heads": {{dims.Heads}},
              "num_hidden_layers": {{dims.EncoderLayers}},
              "inputs": {
                "audio_features": "audio_features"
              },
              "outputs": {
                "encoder_hidden_states": "encoder_hidden_states",
                "cross_present_key_names": "present_key_cross_%d",
                "cross_present_value_names": "present_value_cross_%d"
              }
            },
            "decoder": {
              "session_options": { "log_id": "onnxruntime-genai", "provider_options": [] },
              "filename": "{{DecoderFile}}",
              "head_size": {{dims.HeadSize}},
              "hidden_size": {{dims.Hidden}},
              "num_attention_heads": {{dims.Heads}},
              "num_key_value_heads": {{dims.Heads}},
              "num_hidden_layers": {{dims.DecoderLayers}},
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
                "present_key_names": "present_key_self_%d",
                "present_value_names": "present_value_self_%d",
                "output_cross_qk_names": "output_cross_qk_%d"
              }
            }
          },
          "search": {
            "do_sample": false,
            "early_stopping": true,
            "length_penalty": 1.0,
            "max_length": {{dims.TextContext}},
            "min_length": 0,
            "no_repeat_ngram_size": 0,
            "num_beams": 1,
            "num_return_sequences": 1,
            "past_present_share_buffer": false,
            "repetition_penalty": 1.0,
            "temperature": 1.0,
            "top_k": 1,
            "top_p": 1.0
          }
        }
        """).ReplaceLineEndings("\n") + "\n";

    internal static IWhisperWeightSource Source(WhisperWeights weights, int seed) => weights switch
    {
        WhisperWeights.RandomFloat => new RandomWhisperWeights(seed),
        WhisperWeights.Int8 => new Int8WhisperWeights(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(weights), weights, "not a weight scheme"),
    };
}
