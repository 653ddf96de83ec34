using System.Globalization;

namespace GrainServe.Generation;

/// <summary>
/// The BPE model of Hugging Face tokenizers as Llama 2, Mistral and TinyLlama's tokenizer.json files use it: a word
/// starts as its characters, ranked merges join neighbours (lowest rank first, leftmost first among equals), and a
/// character outside the vocabulary becomes the <c>&lt;0xNN&gt;</c> tokens of its UTF-8 bytes (<c>byte_fallback</c>)
/// or the unknown token. Microsoft.ML.Tokenizers' BpeTokenizer has no byte fallback, so this follows
/// <c>tokenizers/src/models/bpe/{model,word}.rs</c> step for step instead.
/// </summary>
internal sealed class ByteFallbackBpe : ISubwordModel
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<(int Left, int Right), (int Rank, int Id)> _merges = [];
    private readonly int[]? _byteTokens;
    private readonly int? _unknownId;
    private readonly bool _fuseUnknown;
    private readonly bool _ignoreMerges;

    /// <param name="vocabulary">Token text to id.</param>
    /// <param name="merges">The merges in rank order.</param>
    /// <param name="byteFallback">Whether an unknown character becomes its bytes' <c>&lt;0xNN&gt;</c> tokens.</param>
    /// <param name="unknownToken">The token for a character that is neither in the vocabulary nor byte-encodable; without one such a character is dropped, as Hugging Face drops it.</param>
    /// <param name="fuseUnknown">Whether a run of unknown characters is one unknown token.</param>
    /// <param name="ignoreMerges">Whether a word that is itself in the vocabulary is taken whole before any merge.</param>
    /// <exception cref="FormatException">A merge or the unknown token is not in the vocabulary.</exception>
    public ByteFallbackBpe(Dictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges, bool byteFallback, string? unknownToken, bool fuseUnknown, bool ignoreMerges)
    {
        _vocabulary = vocabulary;
        _fuseUnknown = fuseUnknown;
        _ignoreMerges = ignoreMerges;
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            // A later duplicate wins, as it does in the hash map Hugging Face builds.
            _merges[(Id(left, rank), Id(right, rank))] = (rank, Id(left + right, rank));
        }

        if (unknownToken is not null)
        {
            _unknownId = vocabulary.TryGetValue(unknownToken, out var unknown) ? unknown : throw new FormatException($"model.unk_token '{unknownToken}' is not in the vocabulary");
        }

        if (byteFallback)
        {
            _byteTokens = new int[256];
            for (var b = 0; b < 256; b++)
            {
                _byteTokens[b] = vocabulary.TryGetValue(ByteToken(b), out var id) ? id : -1;
            }
        }
    }

    /// <summary>The byte-fallback token of byte <paramref name="value"/>: <c>&lt;0x0A&gt;</c> for a newline.</summary>
    public static string ByteToken(int value) => string.Create(CultureInfo.InvariantCulture, $"<0x{value:X2}>");

    /// <summary>The byte a byte-fallback token stands for, or null when <paramref name="token"/> is not one.</summary>
    public static byte? ByteOf(string token) =>
        token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    /// <summary>The id of the vocabulary entry <paramref name="token"/>, or null.</summary>
    public int? TokenId(string token) => _vocabulary.TryGetValue(token, out var id) ? id : null;

    /// <summary>Appends the ids of one pre-tokenized word.</summary>
    public void Encode(string word, List<int> ids)
    {
        if (_ignoreMerges && _vocabulary.TryGetValue(word, out var whole))
        {
            ids.Add(whole);
            return;
        }

        var symbols = Symbols(word);
        Merge(symbols);
        ids.AddRange(symbols);
    }

    private List<int> Symbols(string word)
    {
        var symbols = new List<int>(word.Length);
        int? pendingUnknown = null;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in word.EnumerateRunes())
        {
            if (_vocabulary.TryGetValue(rune.ToString(), out var id))
            {
                if (pendingUnknown is { } unknown)
                {
                    symbols.Add(unknown);
                    pendingUnknown = null;
                }

                symbols.Add(id);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            if (_byteTokens is not null && AllBytesKnown(utf8[..length]))
            {
                // Hugging Face adds these without first writing out a pending unknown token, so that one follows them.
                foreach (var b in utf8[..length])
                {
                    symbols.Add(_byteTokens[b]);
                }

                continue;
            }

            if (_unknownId is { } unknownId)
            {
                if (pendingUnknown is { } previous && !_fuseUnknown)
                {
                    symbols.Add(previous);
                }

                pendingUnknown = unknownId;
            }
        }

        if (pendingUnknown is { } last)
        {
            symbols.Add(last);
        }

        return symbols;
    }

    private bool AllBytesKnown(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (_byteTokens![b] < 0)
            {
                return false;
            }
        }

        return true;
    }

    // Word::merge_all: a queue of candidate merges ordered by (rank, position); an entry whose pair has changed since it
    // was queued is dropped when it comes up. Symbols form a linked list so a merge is O(log n), not O(n).
    private void Merge(List<int> symbols)
    {
        var count = symbols.Count;
        if (count < 2)
        {
            return;
        }

        var next = new int[count];
        var previous = new int[count];
        var alive = new bool[count];
        var queue = new PriorityQueue<(int Position, int Id), (int Rank, int Position)>();
        for (var i = 0; i < count; i++)
        {
            next[i] = i + 1 < count ? i + 1 : -1;
            previous[i] = i - 1;
            alive[i] = true;
            if (i + 1 < count)
            {
                Enqueue(i, i + 1);
            }
        }

        while (queue.TryDequeue(out var top, out _))
        {
            var right = next[top.Position];
            if (!alive[top.Position] || right < 0 || !_merges.TryGetValue((symbols[top.Position], symbols[right]), out var merge) || merge.Id != top.Id)
            {
                continue;
            }

            symbols[top.Position] = top.Id;
            alive[right] = false;
            next[top.Position] = next[right];
            if (next[right] >= 0)
            {
                previous[next[right]] = top.Position;
            }

            if (previous[top.Position] >= 0)
            {
                Enqueue(previous[top.Position], top.Position);
            }

            if (next[top.Position] >= 0)
            {
                Enqueue(top.Position, next[top.Position]);
            }
        }

        var at = 0;
        for (var i = 0; i < count; i++)
        {
            if (alive[i])
            {
                symbols[at++] = symbols[i];
            }
        }

        symbols.RemoveRange(at, count - at);

        void Enqueue(int left, int right)
        {
            if (_merges.TryGetValue((symbols[left], symbols[right]), out var merge))
            {
                queue.Enqueue((left, merge.Id), (merge.Rank, left));
            }
        }
    }

    private int Id(string token, int rank) =>
        _vocabulary.TryGetValue(token, out var id) ? id : throw new FormatException($"merge {rank + 1} names '{token}', which is not in the vocabulary");
}
