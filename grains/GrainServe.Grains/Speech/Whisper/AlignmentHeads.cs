using System.Text.Json;
using GrainServe.Runtime;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// The decoder's cross-attention heads whose weights follow the audio in time, which word timestamps align with:
/// <c>generation_config.json</c>'s <c>alignment_heads</c> (<c>[[layer, head], …]</c>, as Hugging Face ships every
/// Whisper's), else whisper's default for a model without the list: every head of the last half of the layers.
/// </summary>
internal sealed class AlignmentHeads
{
    /// <summary>Hugging Face's generation config file, beside the model.</summary>
    public const string GenerationConfigFile = "generation_config.json";

    private AlignmentHeads(IReadOnlyList<(int Layer, int Head)> heads, bool fromConfig)
    {
        Heads = heads;
        FromConfig = fromConfig;
    }

    /// <summary>The heads as (layer, head), each within the decoder.</summary>
    public IReadOnlyList<(int Layer, int Head)> Heads { get; }

    /// <summary>Whether the list came from <see cref="GenerationConfigFile"/> rather than whisper's default.</summary>
    public bool FromConfig { get; }

    /// <summary>whisper's default: <c>all_heads[n_text_layer // 2:] = True</c>.</summary>
    public static AlignmentHeads Default(int layers, int heads) =>
        new([.. Enumerable.Range(layers / 2, layers - (layers / 2)).SelectMany(l => Enumerable.Range(0, heads).Select(h => (l, h)))], false);

    /// <summary>Reads <paramref name="folder"/>'s <see cref="GenerationConfigFile"/> when it has <c>alignment_heads</c>, else <see cref="Default"/>.</summary>
    /// <exception cref="ModelLoadException">The list is not pairs of a layer and a head inside the decoder; the message says which.</exception>
    public static AlignmentHeads Load(string folder, int layers, int heads)
    {
        var path = Path.Combine(folder, GenerationConfigFile);
        if (!File.Exists(path))
        {
            return Default(layers, heads);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (!document.RootElement.TryGetProperty("alignment_heads", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                return Default(layers, heads);
            }

            var pairs = new List<(int, int)>();
            foreach (var pair in list.EnumerateArray())
            {
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
                    || !pair[0].TryGetInt32(out var layer) || !pair[1].TryGetInt32(out var head)
                    || layer < 0 || layer >= layers || head < 0 || head >= heads)
                {
                    throw new ModelLoadException($"'{path}': alignment_heads holds {pair.GetRawText()}; each entry must be [layer, head] within the decoder's {layers} layers and {heads} heads");
                }

                pairs.Add((layer, head));
            }

            return new AlignmentHeads(pairs, true);
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException($"'{path}' is not JSON: {ex.Message}", ex);
        }
    }
}
