using System.Text.Json;
using GrainServe.Runtime;

namespace GrainServe.Generation;

/// <summary>
/// The parts of onnxruntime-genai's <c>genai_config.json</c> that describe a decoder: its vocabulary, special tokens,
/// context length, attention shape and the names of its inputs and outputs. Read with <see cref="JsonDocument"/>,
/// so it needs no reflection (NativeAOT-safe); keys the file lacks are null here, and unknown keys are ignored.
/// </summary>
/// <remarks>
/// Name patterns keep the file's <c>%d</c> placeholder for the layer index (<c>"past_key_values.%d.key"</c>,
/// <c>"past_%d"</c>); <see cref="LayerName"/> fills it in.
/// </remarks>
public sealed class GenAiConfig
{
    /// <summary>The file name onnxruntime-genai looks for beside the model.</summary>
    public const string FileName = "genai_config.json";

    /// <summary><c>model.type</c>: the architecture (<c>"gpt2"</c>, <c>"llama"</c>, <c>"whisper"</c>), or null.</summary>
    public string? ModelType { get; init; }

    /// <summary><c>model.context_length</c>: the most tokens a sequence may hold, or null.</summary>
    public int? ContextLength { get; init; }

    /// <summary><c>model.vocab_size</c>: logits per position, or null.</summary>
    public int? VocabularySize { get; init; }

    /// <summary><c>model.eos_token_id</c>, a number or an array of numbers in the file; empty when absent.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary><c>model.bos_token_id</c>, or null.</summary>
    public int? BosTokenId { get; init; }

    /// <summary><c>model.pad_token_id</c>, or null.</summary>
    public int? PadTokenId { get; init; }

    /// <summary><c>model.decoder.filename</c>: the decoder's ONNX file, relative to the config's folder, or null.</summary>
    public string? DecoderFileName { get; init; }

    /// <summary><c>model.decoder.num_hidden_layers</c>, or null.</summary>
    public int? NumHiddenLayers { get; init; }

    /// <summary><c>model.decoder.num_attention_heads</c>: query heads, or null.</summary>
    public int? NumAttentionHeads { get; init; }

    /// <summary><c>model.decoder.num_key_value_heads</c>: KV heads (fewer than query heads under grouped-query attention), or null.</summary>
    public int? NumKeyValueHeads { get; init; }

    /// <summary><c>model.decoder.head_size</c>: floats per head, or null.</summary>
    public int? HeadSize { get; init; }

    /// <summary><c>model.decoder.hidden_size</c>, or null.</summary>
    public int? HiddenSize { get; init; }

    /// <summary>
    /// <c>model.decoder.inputs</c>: logical name to graph name or pattern (<c>input_ids</c>, <c>attention_mask</c>,
    /// <c>position_ids</c>, <c>past_names</c>, <c>past_key_names</c>, <c>past_value_names</c>, ...).
    /// </summary>
    public IReadOnlyDictionary<string, string> DecoderInputs { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// <c>model.decoder.outputs</c>: logical name to graph name or pattern (<c>logits</c>, <c>present_names</c>,
    /// <c>present_key_names</c>, <c>present_value_names</c>, ...).
    /// </summary>
    public IReadOnlyDictionary<string, string> DecoderOutputs { get; init; } = new Dictionary<string, string>();

    /// <summary><c>model.encoder.filename</c>: an encoder-decoder model's encoder file (Whisper's), or null.</summary>
    public string? EncoderFileName { get; init; }

    /// <summary><c>model.encoder.inputs</c>: logical name to graph name (<c>audio_features</c>).</summary>
    public IReadOnlyDictionary<string, string> EncoderInputs { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// <c>model.encoder.outputs</c>: logical name to graph name or pattern (<c>encoder_hidden_states</c>,
    /// <c>cross_present_key_names</c>, <c>cross_present_value_names</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> EncoderOutputs { get; init; } = new Dictionary<string, string>();

    /// <summary>A name pattern with its <c>%d</c> replaced by <paramref name="layer"/>.</summary>
    public static string LayerName(string pattern, int layer) => pattern.Replace("%d", layer.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Reads <c>genai_config.json</c> from <paramref name="folder"/>, or returns null when the folder has none.</summary>
    /// <exception cref="ModelLoadException">The file is there but is not valid JSON of the expected shape.</exception>
    public static GenAiConfig? TryLoad(string folder)
    {
        var path = Path.Combine(folder, FileName);
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : null;
    }

    /// <summary>Parses the text of a <c>genai_config.json</c>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ModelLoadException">The text is not valid JSON, lacks <c>model</c>, or holds a value of the wrong type.</exception>
    public static GenAiConfig Parse(string json, string source = FileName)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (!document.RootElement.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            {
                throw new ModelLoadException($"{source}: no \"model\" object");
            }

            var decoder = model.TryGetProperty("decoder", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
            var encoder = model.TryGetProperty("encoder", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
            return new GenAiConfig
            {
                ModelType = String(model, "type"),
                ContextLength = Int(model, "context_length"),
                VocabularySize = Int(model, "vocab_size"),
                EosTokenIds = Ints(model, "eos_token_id"),
                BosTokenId = Int(model, "bos_token_id"),
                PadTokenId = Int(model, "pad_token_id"),
                DecoderFileName = String(decoder, "filename"),
                NumHiddenLayers = Int(decoder, "num_hidden_layers"),
                NumAttentionHeads = Int(decoder, "num_attention_heads"),
                NumKeyValueHeads = Int(decoder, "num_key_value_heads"),
                HeadSize = Int(decoder, "head_size"),
                HiddenSize = Int(decoder, "hidden_size"),
                DecoderInputs = Names(decoder, "inputs"),
                DecoderOutputs = Names(decoder, "outputs"),
                EncoderFileName = String(encoder, "filename"),
                EncoderInputs = Names(encoder, "inputs"),
                EncoderOutputs = Names(encoder, "outputs"),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new ModelLoadException($"{source}: {ex.Message}", ex);
        }
    }

    private static JsonElement? Property(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? String(JsonElement parent, string name) => Property(parent, name)?.GetString();

    private static int? Int(JsonElement parent, string name) => Property(parent, name)?.GetInt32();

    private static int[] Ints(JsonElement parent, string name) => Property(parent, name) switch
    {
        null => [],
        { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Select(e => e.GetInt32()).ToArray(),
        { } single => [single.GetInt32()],
    };

    private static Dictionary<string, string> Names(JsonElement parent, string name)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Property(parent, name) is { ValueKind: JsonValueKind.Object } section)
        {
            foreach (var entry in section.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.String)
                {
                    names[entry.Name] = entry.Value.GetString()!;
                }
            }
        }

        return names;
    }
}
