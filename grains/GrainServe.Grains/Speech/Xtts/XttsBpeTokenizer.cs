using System.Text.Json;
using System.Text.RegularExpressions;
using GrainServe.Generation;
using GrainServe.Runtime;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS-v2's text tokenizer (Coqui's <c>VoiceBpeTokenizer</c> over its Hugging Face tokenizers <c>vocab.json</c>):
/// the text cleaned (<see cref="XttsTextCleaner"/>), the language token <c>[en]</c>, <c>[de]</c>, ... put before it,
/// spaces written as <c>[SPACE]</c>, the added tokens matched whole, the rest split by the Whitespace pre-tokenizer
/// (<c>\w+|[^\w\s]+</c>) and each piece through the BPE model, with <c>[UNK]</c> for a character the vocabulary lacks.
/// The GPT sees <c>[START]</c> before the text and <c>[STOP]</c> after it, as XTTS's GPT pads them on. Immutable.
/// </summary>
internal sealed partial class XttsBpeTokenizer
{
    /// <summary>The file name XTTS-v2 ships its tokenizer under.</summary>
    public const string DefaultFile = "vocab.json";

    private const string Space = "[SPACE]", Start = "[START]", Stop = "[STOP]", Unknown = "[UNK]";

    private readonly ByteFallbackBpe _bpe;
    private readonly AddedToken[] _added;
    private readonly Dictionary<string, int> _languages;

    private XttsBpeTokenizer(ByteFallbackBpe bpe, AddedToken[] added, int spaceId, int? startId, int stopId, int maxId)
    {
        _bpe = bpe;
        // Longest first, so a match at a position is the longest one there (Hugging Face's leftmost-longest).
        _added = [.. added.OrderByDescending(a => a.Content.Length)];
        SpaceId = spaceId;
        StartId = startId;
        StopId = stopId;
        MaxId = maxId;
        _languages = added.Where(a => LanguageToken().IsMatch(a.Content))
            .ToDictionary(a => a.Content[1..^1], a => a.Id, StringComparer.Ordinal);
    }

    /// <summary>The languages the vocabulary has a token for (<c>en</c>, <c>zh-cn</c>, ...), sorted.</summary>
    public IReadOnlyList<string> Languages => [.. _languages.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The id of <c>[SPACE]</c>.</summary>
    public int SpaceId { get; }

    /// <summary>The id of <c>[START]</c>, put before the text; null where the vocabulary has none.</summary>
    public int? StartId { get; }

    /// <summary>The id of <c>[STOP]</c>, put after the text.</summary>
    public int StopId { get; }

    /// <summary>The highest id in the vocabulary.</summary>
    public int MaxId { get; }

    /// <summary>The language token's name for <paramref name="language"/> (XTTS drops a region: <c>en-US</c> is <c>en</c>), or null where the vocabulary has none.</summary>
    public string? Language(string language)
    {
        var lower = language.ToLowerInvariant();
        if (_languages.ContainsKey(lower))
        {
            return lower;
        }

        var bare = lower.Split('-')[0];
        return _languages.ContainsKey(bare) ? bare : null;
    }

    /// <summary>The ids of <paramref name="text"/> in <paramref name="language"/> (one of <see cref="Languages"/>): <c>[START]</c>, the language token, the text, <c>[STOP]</c>.</summary>
    /// <exception cref="ArgumentException">The vocabulary has no token for <paramref name="language"/>.</exception>
    public List<int> Encode(string text, string language)
    {
        var name = Language(language) ?? throw new ArgumentException($"language '{language}' is not in the vocabulary");
        var ids = new List<int>(text.Length + 3);
        if (StartId is { } start)
        {
            ids.Add(start);
        }

        ids.Add(_languages[name]);
        var cleaned = XttsTextCleaner.Clean(text, name).Replace(" ", Space, StringComparison.Ordinal);
        var from = 0;
        for (var at = 0; at < cleaned.Length;)
        {
            if (_added.FirstOrDefault(a => cleaned.AsSpan(at).StartsWith(a.Content, StringComparison.Ordinal)) is { } token)
            {
                EncodePieces(cleaned[from..at], ids);
                ids.Add(token.Id);
                at += token.Content.Length;
                from = at;
            }
            else
            {
                at++;
            }
        }

        EncodePieces(cleaned[from..], ids);
        ids.Add(StopId);
        return ids;
    }

    private void EncodePieces(string segment, List<int> ids)
    {
        foreach (Match piece in WhitespacePieces().Matches(segment))
        {
            _bpe.Encode(piece.Value, ids);
        }
    }

    /// <summary>Reads a Hugging Face tokenizers file with a BPE model, as XTTS-v2's <c>vocab.json</c> is.</summary>
    /// <exception cref="ModelLoadException">The file is not such a tokenizer, or lacks <c>[SPACE]</c>, <c>[STOP]</c>, <c>[UNK]</c> or any language token.</exception>
    public static XttsBpeTokenizer Load(string file)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = json.RootElement;
            var model = root.GetProperty("model");
            if (model.TryGetProperty("type", out var type) && type.GetString() != "BPE")
            {
                throw new ModelLoadException($"{file}: model type '{type.GetString()}' is not BPE, as XTTS's tokenizer is");
            }

            if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object && pre.GetProperty("type").GetString() != "Whitespace")
            {
                throw new ModelLoadException($"{file}: pre_tokenizer '{pre.GetProperty("type").GetString()}' is not supported; XTTS's tokenizer uses Whitespace");
            }

            var vocabulary = model.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
            var merges = model.TryGetProperty("merges", out var m) ? m.EnumerateArray().Select(Merge).ToList() : [];
            var added = root.TryGetProperty("added_tokens", out var a)
                ? a.EnumerateArray().Select(t => new AddedToken(t.GetProperty("id").GetInt32(), t.GetProperty("content").GetString()!, t.TryGetProperty("special", out var s) && s.GetBoolean())).ToArray()
                : [];
            foreach (var token in added)
            {
                vocabulary.TryAdd(token.Content, token.Id);
            }

            var unknown = model.TryGetProperty("unk_token", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : Unknown;
            var bpe = new ByteFallbackBpe(vocabulary, merges, byteFallback: false, unknown, fuseUnknown: model.TryGetProperty("fuse_unk", out var f) && f.ValueKind == JsonValueKind.True, ignoreMerges: false);
            int Need(string token) => vocabulary.TryGetValue(token, out var id) ? id : throw new ModelLoadException($"{file}: the vocabulary has no {token} token, which XTTS's tokenizer needs");
            // The special tokens are matched whole in the text even where the file lists them only in the vocabulary.
            var matched = added.Concat(new[] { Space, Stop, Unknown }.Where(t => added.All(x => x.Content != t)).Select(t => new AddedToken(Need(t), t, true))).ToArray();
            var tokenizer = new XttsBpeTokenizer(bpe, matched, Need(Space), vocabulary.TryGetValue(Start, out var start) ? start : null, Need(Stop), vocabulary.Values.Max());
            return tokenizer.Languages.Count > 0
                ? tokenizer
                : throw new ModelLoadException($"{file}: no language token ([en], [de], ...) among the added tokens; XTTS puts one before the text");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelLoadException($"{file}: not a Hugging Face tokenizers BPE file as XTTS's vocab.json is: {ex.Message}", ex);
        }
    }

    // "a b" in older files, ["a", "b"] in newer ones.
    private static (string Left, string Right) Merge(JsonElement merge)
    {
        if (merge.ValueKind == JsonValueKind.Array)
        {
            return (merge[0].GetString()!, merge[1].GetString()!);
        }

        var text = merge.GetString()!;
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? (text[..space], text[(space + 1)..]) : throw new FormatException($"merge '{text}' is not two tokens");
    }

    // Rust's \w takes every mark; .NET's only non-spacing ones.
    [GeneratedRegex(@"[\w\p{M}]+|[^\w\p{M}\s]+")]
    private static partial Regex WhitespacePieces();

    [GeneratedRegex(@"^\[[a-z]{2,3}(-[a-z]{2,4})?\]$")]
    private static partial Regex LanguageToken();
}
