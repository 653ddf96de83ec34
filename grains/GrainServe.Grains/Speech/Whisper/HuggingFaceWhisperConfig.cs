using System.Text.Json;
using GrainServe.Generation;
using GrainServe.Runtime;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// What the decoder's layout needs from Hugging Face's <c>config.json</c> (WhisperConfig), which Optimum copies beside
/// its ONNX files: Optimum writes no <c>genai_config.json</c>, and the graphs do not carry the context length.
/// </summary>
internal static class HuggingFaceWhisperConfig
{
    /// <summary>The file's name (in the version folder; the server's own config.json sits one folder up).</summary>
    public const string FileName = "config.json";

    /// <summary>Whisper's <c>max_target_positions</c> in every released size, for a folder without the file.</summary>
    public const int DefaultTextContext = 448;

    /// <summary>
    /// The decoder's part of the file as a <see cref="GenAiConfig"/> (context length, vocabulary, layers, heads, head
    /// size, special tokens); only the context length (<see cref="DefaultTextContext"/>) when the folder has no file.
    /// </summary>
    /// <exception cref="ModelLoadException">The file is not valid JSON, or not a Whisper model's.</exception>
    public static GenAiConfig Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return new GenAiConfig { ModelType = "whisper", ContextLength = DefaultTextContext };
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || (String(root, "model_type") is { } type && type != "whisper"))
            {
                throw new ModelLoadException($"{path}: not a Whisper model's Hugging Face config (model_type '{String(root, "model_type")}')");
            }

            var heads = Int(root, "decoder_attention_heads");
            var width = Int(root, "d_model");
            return new GenAiConfig
            {
                ModelType = "whisper",
                ContextLength = Int(root, "max_target_positions") ?? DefaultTextContext,
                VocabularySize = Int(root, "vocab_size"),
                EosTokenIds = Int(root, "eos_token_id") is { } eos ? [eos] : [],
                BosTokenId = Int(root, "decoder_start_token_id"),
                PadTokenId = Int(root, "pad_token_id"),
                NumHiddenLayers = Int(root, "decoder_layers"),
                NumAttentionHeads = heads,
                HeadSize = heads is > 0 && width is > 0 ? width / heads : null,
                HiddenSize = width,
            };
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException($"{path} is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ModelLoadException($"{path}: a value has the wrong type: {ex.Message}", ex);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
}
