using System.Globalization;
using System.Text.Json;
using GrainServe.Runtime;

namespace GrainServe.Generation;

/// <summary>
/// What the files beside a tokenizer say about its special tokens: <c>tokenizer_config.json</c> (<c>bos_token</c>,
/// <c>eos_token</c>, <c>add_bos_token</c>, <c>added_tokens_decoder</c>), <c>special_tokens_map.json</c>
/// (<c>bos_token</c>, <c>eos_token</c>), <c>generation_config.json</c> (more <c>eos_token_id</c>s) and
/// <c>genai_config.json</c> (<c>bos_token_id</c>, <c>eos_token_id</c>).
/// </summary>
internal static class TokenizerConfigFiles
{
    /// <summary>Hugging Face's tokenizer settings beside the tokenizer.</summary>
    public const string TokenizerConfig = "tokenizer_config.json";

    /// <summary>Hugging Face's older file for the special tokens' texts.</summary>
    public const string SpecialTokensMap = "special_tokens_map.json";

    /// <summary>Hugging Face's generation defaults, whose <c>eos_token_id</c> may list more than one token.</summary>
    public const string GenerationConfig = "generation_config.json";

    /// <summary>
    /// BOS, EOS and whether to add the BOS for a SentencePiece-style tokenizer. Each comes from the first of
    /// tokenizer_config.json, special_tokens_map.json, the tokenizer's own default and genai_config.json that has it;
    /// generation_config.json adds EOS ids.
    /// </summary>
    /// <param name="folder">The tokenizer's folder.</param>
    /// <param name="file">The tokenizer file, for errors.</param>
    /// <param name="lookup">The id of a token's text (an added token or a vocabulary entry), or null.</param>
    /// <param name="defaultBos">The tokenizer's own BOS (a SentencePiece model's <c>bos_id</c>), or null.</param>
    /// <param name="defaultEos">The tokenizer's own EOS, or null.</param>
    /// <param name="defaultAddBos">Whether to add the BOS when tokenizer_config.json does not say.</param>
    /// <exception cref="ModelLoadException">A file names a token the tokenizer does not have, or is not valid JSON.</exception>
    public static (int? Bos, List<int> Eos, bool AddBos) SpecialTokens(string folder, string file, Func<string, int?> lookup, int? defaultBos, int? defaultEos, bool defaultAddBos)
    {
        var config = ReadJson(Path.Combine(folder, TokenizerConfig));
        var map = ReadJson(Path.Combine(folder, SpecialTokensMap));
        var genai = GenAiConfig.TryLoad(folder);

        int? Resolve(string name, int? fallback, int? genaiId)
        {
            foreach (var (source, json) in new[] { (TokenizerConfig, config), (SpecialTokensMap, map) })
            {
                if (json is { } j && TokenText(j, name) is { } text)
                {
                    return lookup(text) ?? throw new ModelLoadException($"{folder}/{source}: {name} '{text}' is not a token of {file}");
                }
            }

            return fallback ?? genaiId;
        }

        var bos = Resolve("bos_token", defaultBos, genai?.BosTokenId);
        var eos = new List<int>();
        if (Resolve("eos_token", defaultEos, genai?.EosTokenIds is [var first, ..] ? first : null) is { } eosId)
        {
            eos.Add(eosId);
        }

        AddGenerationEos(folder, eos);
        var addBos = config is { } c && c.TryGetProperty("add_bos_token", out var a) && a.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? a.ValueKind == JsonValueKind.True
            : defaultAddBos;
        if (addBos && bos is null)
        {
            throw new ModelLoadException($"{folder}: the tokenizer adds a BOS token ({TokenizerConfig} add_bos_token, or its default) but names none; set bos_token in {TokenizerConfig}");
        }

        return (bos, eos, addBos);
    }

    /// <summary>
    /// tokenizer_config.json's <c>added_tokens_decoder</c> (id to <c>content</c>, <c>special</c>, <c>lstrip</c>,
    /// <c>rstrip</c>): the added tokens of a tokenizer whose own file cannot list them (a SentencePiece model). Empty
    /// without the file or the key.
    /// </summary>
    public static List<AddedToken> AddedTokensDecoder(string folder)
    {
        var added = new List<AddedToken>();
        if (ReadJson(Path.Combine(folder, TokenizerConfig)) is { } config
            && config.TryGetProperty("added_tokens_decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in decoder.EnumerateObject())
            {
                added.Add(new AddedToken(
                    int.Parse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture),
                    entry.Value.GetProperty("content").GetString()!,
                    Flag(entry.Value, "special"),
                    Flag(entry.Value, "lstrip"),
                    Flag(entry.Value, "rstrip")));
            }
        }

        return added;
    }

    /// <summary>
    /// A tokenizer.json's <c>added_tokens</c> (each with <c>id</c>, <c>content</c>, <c>special</c>, <c>lstrip</c>,
    /// <c>rstrip</c>); empty when the file has none.
    /// </summary>
    public static List<AddedToken> AddedTokens(JsonElement tokenizerJson)
    {
        var added = new List<AddedToken>();
        if (tokenizerJson.TryGetProperty("added_tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Array)
        {
            foreach (var token in tokens.EnumerateArray())
            {
                added.Add(new AddedToken(
                    token.GetProperty("id").GetInt32(),
                    token.GetProperty("content").GetString()!,
                    Flag(token, "special"),
                    Flag(token, "lstrip"),
                    Flag(token, "rstrip")));
            }
        }

        return added;
    }

    /// <summary>Adds generation_config.json's <c>eos_token_id</c>s (a number or an array) that <paramref name="eos"/> lacks.</summary>
    public static void AddGenerationEos(string folder, List<int> eos)
    {
        if (ReadJson(Path.Combine(folder, GenerationConfig)) is { } generation && generation.TryGetProperty("eos_token_id", out var more))
        {
            foreach (var id in more.ValueKind == JsonValueKind.Array ? more.EnumerateArray().ToArray() : [more])
            {
                if (id.ValueKind == JsonValueKind.Number && !eos.Contains(id.GetInt32()))
                {
                    eos.Add(id.GetInt32());
                }
            }
        }
    }

    /// <summary>A boolean property that is true; false when it is absent or anything else.</summary>
    public static bool Flag(JsonElement token, string name) =>
        token.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>A special token's text, written as a string or as an AddedToken object with <c>content</c>; null when absent.</summary>
    public static string? TokenText(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var content) => content.GetString(),
            _ => null,
        };
    }

    /// <summary>The root of a JSON file, or null when there is no such file.</summary>
    /// <exception cref="ModelLoadException">The file is not valid JSON.</exception>
    public static JsonElement? ReadJson(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"{path} is not valid JSON: {e.Message}", e);
        }
    }
}
