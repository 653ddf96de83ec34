using System.Text;
using System.Text.Json;
using GrainServe.Runtime;

namespace GrainServe.Generation;

/// <summary>
/// Builds a <see cref="GenerationTokenizer"/> from a Hugging Face tokenizer.json in the SentencePiece style: model BPE
/// (Llama 2, Mistral, TinyLlama; usually <c>byte_fallback: true</c>) or Unigram (T5, ALBERT, XLM-R; see
/// <see cref="UnigramModel"/>), spaces as <c>▁</c> by the normalizer (<c>Sequence[Prepend("▁"), Replace(" ", "▁")]</c>,
/// or any <see cref="TokenizerJsonNormalizer"/>) or the <c>Metaspace</c> pre-tokenizer (alone or after
/// <c>WhitespaceSplit</c>), and the decoder <c>Sequence[Replace("▁", " "), ByteFallback, Fuse, Strip(" ", 1, 0)]</c> or
/// <c>Metaspace</c>. Any other step fails with a <see cref="ModelLoadException"/> naming it.
/// </summary>
internal static class MetaspaceTokenizerJson
{
    private const string Space = " ";
    private const string Metaspace = "\u2581";

    /// <summary>True for a tokenizer.json whose spaces become <c>▁</c>: a Metaspace pre-tokenizer, or a normalizer that replaces them.</summary>
    public static bool Applies(JsonElement root) =>
        Type(Property(root, "pre_tokenizer")) == "Metaspace" || Normalizers(root).Any(IsSpaceReplace);

    /// <summary>Builds the tokenizer; <paramref name="root"/> is the parsed <paramref name="file"/>.</summary>
    public static GenerationTokenizer Load(string file, JsonElement root)
    {
        var (pre, whitespaceSplit) = PreTokenizer(file, root);
        var normalizer = TokenizerJsonNormalizer.Parse(file, Property(root, "normalizer"));
        var steps = new MetaspaceTokenizerModel.Steps(false, false, pre, normalizer, whitespaceSplit);

        var model = root.GetProperty("model");
        var unigram = Type(model) == "Unigram";
        var (subwords, vocabulary, byteFallback) = unigram ? Unigram(model) : Bpe(file, model);

        var added = TokenizerConfigFiles.AddedTokens(root);

        var decoder = Decoder(file, root);
        var bytes = new Dictionary<int, byte[]>(vocabulary.Count);
        var firstBytes = decoder.DropsFirstTokenMetaspace ? new Dictionary<int, byte[]>() : null;
        foreach (var (token, id) in vocabulary)
        {
            bytes[id] = decoder.ByteFallback && ByteFallbackBpe.ByteOf(token) is { } b
                ? [b]
                : Encoding.UTF8.GetBytes(token.Replace(Metaspace, Space, StringComparison.Ordinal));
            if (firstBytes is not null && token.Contains(Metaspace, StringComparison.Ordinal))
            {
                firstBytes[id] = Encoding.UTF8.GetBytes(token.Replace(Metaspace, "", StringComparison.Ordinal));
            }
        }

        int? Lookup(string text) =>
            added.FirstOrDefault(a => a.Content == text) is { } token ? token.Id : subwords.TokenId(text);
        var (postBos, postBosId) = PostProcessorBos(root);
        // Without a config naming the EOS, Llama's convention: the special token </s> ends a sequence.
        var defaultEos = added.FirstOrDefault(a => a.Special && a.Content == "</s>")?.Id;
        var (bos, eos, addBos) = TokenizerConfigFiles.SpecialTokens(Path.GetDirectoryName(file)!, file, Lookup, postBosId ?? (postBos is null ? null : Lookup(postBos)), defaultEos, defaultAddBos: postBos is not null);
        var description = $"{file} ({(unigram ? "Unigram" : "Metaspace BPE")}{(byteFallback ? ", byte fallback" : "")}{(normalizer is null ? "" : $", normalizer {string.Join('+', normalizer.Names)}")})";
        return new GenerationTokenizer(description, new MetaspaceTokenizerModel(subwords, steps), bytes, added, bos, eos, addBos, decoder.LeadingSpacesStripped, firstBytes);
    }

    private static (ISubwordModel Model, Dictionary<string, int> Vocabulary, bool ByteFallback) Bpe(string file, JsonElement model)
    {
        foreach (var unsupported in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (Text(model, unsupported) is { Length: > 0 } value)
            {
                throw new ModelLoadException($"{file}: model.{unsupported} '{value}' is not supported by a SentencePiece-style BPE tokenizer");
            }
        }

        if (Property(model, "dropout") is { ValueKind: JsonValueKind.Number } dropout && dropout.GetDouble() > 0)
        {
            throw new ModelLoadException($"{file}: model.dropout {dropout.GetDouble()} makes encoding random; serving needs it null");
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            vocabulary[entry.Name] = entry.Value.GetInt32();
        }

        var merges = new List<(string, string)>();
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            // Newer files write a merge as ["a", "b"], older ones as "a b": exactly one space, as Hugging Face insists.
            merges.Add(merge.ValueKind == JsonValueKind.Array
                ? (merge[0].GetString()!, merge[1].GetString()!)
                : merge.GetString()!.Split(' ') is [var left, var right] ? (left, right) : throw new FormatException($"merge '{merge.GetString()}' is not two tokens and a space"));
        }

        var byteFallback = TokenizerConfigFiles.Flag(model, "byte_fallback");
        var bpe = new ByteFallbackBpe(vocabulary, merges, byteFallback, Text(model, "unk_token"), TokenizerConfigFiles.Flag(model, "fuse_unk"), TokenizerConfigFiles.Flag(model, "ignore_merges"));
        return (bpe, vocabulary, byteFallback);
    }

    // model.vocab is [[piece, score], ...] in id order; unk_id is required, as a segmentation may need it.
    private static (ISubwordModel Model, Dictionary<string, int> Vocabulary, bool ByteFallback) Unigram(JsonElement model)
    {
        var pieces = new List<(string Piece, double Score)>();
        foreach (var entry in model.GetProperty("vocab").EnumerateArray())
        {
            pieces.Add((entry[0].GetString()!, entry[1].GetDouble()));
        }

        var unknownId = Int(model, "unk_id") ?? throw new FormatException("model.unk_id is null; a Unigram model needs the id of its unknown piece");
        var byteFallback = TokenizerConfigFiles.Flag(model, "byte_fallback");
        var unigram = new UnigramModel(pieces, unknownId, byteFallback);
        var vocabulary = new Dictionary<string, int>(pieces.Count, StringComparer.Ordinal);
        for (var id = 0; id < pieces.Count; id++)
        {
            vocabulary[pieces[id].Piece] = id;
        }

        return (unigram, vocabulary, byteFallback);
    }

    // None, Metaspace, or (T5) Sequence[WhitespaceSplit, Metaspace].
    private static (MetaspaceTokenizerModel.MetaspaceStep? Step, bool WhitespaceSplit) PreTokenizer(string file, JsonElement root)
    {
        var pre = Property(root, "pre_tokenizer");
        if (pre is null)
        {
            return (null, false);
        }

        var whitespaceSplit = false;
        if (Type(pre) == "Sequence" && Property(pre.Value, "pretokenizers") is { ValueKind: JsonValueKind.Array } steps
            && steps.GetArrayLength() == 2 && Type(steps[0]) == "WhitespaceSplit")
        {
            whitespaceSplit = true;
            pre = steps[1];
        }

        if (Type(pre) != "Metaspace")
        {
            throw new ModelLoadException($"{file}: pre_tokenizer '{Type(pre) ?? "(none)"}' is not supported beside a normalizer that writes spaces as ▁; a SentencePiece-style tokenizer.json has none, Metaspace, or Sequence[WhitespaceSplit, Metaspace]");
        }

        var (scheme, split) = MetaspaceSettings(file, pre.Value, "pre_tokenizer");
        return (new MetaspaceTokenizerModel.MetaspaceStep(scheme, split), whitespaceSplit);
    }

    private static DecoderSteps Decoder(string file, JsonElement root)
    {
        var decoder = Property(root, "decoder");
        if (Type(decoder) == "Metaspace")
        {
            // Hugging Face's Metaspace decoder turns ▁ into a space except in the first token, where it drops them, and
            // leaves <0xNN> tokens as their text: it has no byte fallback.
            var (scheme, _) = MetaspaceSettings(file, decoder!.Value, "decoder");
            return new DecoderSteps(ByteFallback: false, LeadingSpacesStripped: 0, DropsFirstTokenMetaspace: scheme != MetaspaceTokenizerModel.PrependScheme.Never);
        }

        const string Expected = "Sequence[Replace(\"▁\", \" \"), ByteFallback, Fuse, Strip(\" \", n, 0)] or Metaspace";
        if (Type(decoder) != "Sequence" || Property(decoder!.Value, "decoders") is not { ValueKind: JsonValueKind.Array } steps)
        {
            throw new ModelLoadException($"{file}: decoder '{Type(decoder) ?? "(none)"}' is not supported; a SentencePiece-style tokenizer.json decodes with {Expected}");
        }

        var (replaced, byteFallback, fused, stripped) = (false, false, false, 0);
        foreach (var step in steps.EnumerateArray())
        {
            switch (Type(step))
            {
                case "Replace" when Text(Property(step, "pattern"), "String") == Metaspace && Text(step, "content") == Space && stripped == 0:
                    replaced = true;
                    break;
                case "ByteFallback":
                    byteFallback = true;
                    break;
                case "Fuse":
                    fused = true;
                    break;
                // Strip works token by token: only after Fuse, with one token left, is it the text's leading spaces.
                case "Strip" when fused && Text(step, "content") == Space && Int(step, "stop") == 0 && Int(step, "start") is int start and >= 0:
                    stripped += start;
                    break;
                default:
                    throw new ModelLoadException($"{file}: decoder step '{Type(step) ?? "(none)"}' (or its place in the sequence) is not supported; a SentencePiece-style tokenizer.json decodes with {Expected}");
            }
        }

        if (!replaced)
        {
            throw new ModelLoadException($"{file}: the decoder does not turn ▁ back into spaces; a SentencePiece-style tokenizer.json decodes with {Expected}");
        }

        return new DecoderSteps(byteFallback, stripped, DropsFirstTokenMetaspace: false);
    }

    private static (MetaspaceTokenizerModel.PrependScheme Scheme, bool Split) MetaspaceSettings(string file, JsonElement step, string where)
    {
        if (Text(step, "replacement") is { } replacement && replacement != Metaspace)
        {
            throw new ModelLoadException($"{file}: {where} Metaspace replacement '{replacement}' is not supported; only ▁ (U+2581) is");
        }

        // Files written before prepend_scheme existed have add_prefix_space instead; split came later still, and was
        // always on before.
        var scheme = Text(step, "prepend_scheme") switch
        {
            "first" => MetaspaceTokenizerModel.PrependScheme.First,
            "always" => MetaspaceTokenizerModel.PrependScheme.Always,
            "never" => MetaspaceTokenizerModel.PrependScheme.Never,
            null => Property(step, "add_prefix_space") is { ValueKind: JsonValueKind.False } ? MetaspaceTokenizerModel.PrependScheme.Never : MetaspaceTokenizerModel.PrependScheme.Always,
            var other => throw new ModelLoadException($"{file}: {where} Metaspace prepend_scheme '{other}' is not first, always or never"),
        };
        return (scheme, Property(step, "split") is not { ValueKind: JsonValueKind.False });
    }

    // TemplateProcessing that starts a single sequence with a special token: the file's own way of adding a BOS.
    private static (string? Text, int? Id) PostProcessorBos(JsonElement root)
    {
        var post = Property(root, "post_processor");
        if (Type(post) != "TemplateProcessing" || Property(post!.Value, "single") is not { ValueKind: JsonValueKind.Array } single
            || single.GetArrayLength() == 0 || Property(single[0], "SpecialToken") is not { } first || Text(first, "id") is not { } text)
        {
            return (null, null);
        }

        var id = Property(Property(post.Value, "special_tokens"), text) is { } entry && Property(entry, "ids") is { ValueKind: JsonValueKind.Array } ids && ids.GetArrayLength() > 0
            ? ids[0].GetInt32()
            : (int?)null;
        return (text, id);
    }

    private static IEnumerable<JsonElement> Normalizers(JsonElement root)
    {
        var normalizer = Property(root, "normalizer");
        if (Type(normalizer) == "Sequence" && Property(normalizer!.Value, "normalizers") is { ValueKind: JsonValueKind.Array } steps)
        {
            return steps.EnumerateArray().ToArray();
        }

        return normalizer is { } single ? [single] : [];
    }

    private static bool IsSpaceReplace(JsonElement step) =>
        Type(step) == "Replace" && Text(Property(step, "pattern"), "String") == Space && Text(step, "content") == Metaspace;

    private static JsonElement? Property(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? Type(JsonElement? element) => Text(element, "type");

    private static string? Text(JsonElement? parent, string name) =>
        Property(parent, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static int? Int(JsonElement? parent, string name) =>
        Property(parent, name) is { ValueKind: JsonValueKind.Number } value ? value.GetInt32() : null;

    private sealed record DecoderSteps(bool ByteFallback, int LeadingSpacesStripped, bool DropsFirstTokenMetaspace);
}
