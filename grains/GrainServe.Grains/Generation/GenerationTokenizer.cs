using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace GrainServe.Generation;

/// <summary>
/// The tokenizer of a generative model: text to token ids for the prompt, ids back to text for the engine. Decoding
/// is byte-exact: every token stands for a run of bytes, a run of tokens decodes to the UTF-8 text of their
/// concatenated bytes, and a run that ends inside a multi-byte character ends in U+FFFD. Built by
/// <see cref="GenerationTokenizerLoader"/>; immutable and safe to share between threads.
/// </summary>
public sealed class GenerationTokenizer : ITokenDecoder
{
    private readonly Tokenizer _model;
    private readonly byte[][] _tokenBytes;
    private readonly bool[] _special;
    private readonly Dictionary<string, AddedToken> _addedByContent;
    private readonly Regex? _addedPattern;
    private readonly bool _addPrefixSpace;
    private readonly bool _normalizeNfc;

    internal GenerationTokenizer(
        string description,
        Tokenizer model,
        IReadOnlyDictionary<int, byte[]> modelTokenBytes,
        IReadOnlyList<AddedToken> addedTokens,
        int? bosTokenId,
        IReadOnlyList<int> eosTokenIds,
        bool addBosToken,
        bool addPrefixSpace = false,
        bool normalizeNfc = false)
    {
        Description = description;
        _model = model;
        _addPrefixSpace = addPrefixSpace;
        _normalizeNfc = normalizeNfc;
        var size = Math.Max(modelTokenBytes.Count == 0 ? 0 : modelTokenBytes.Keys.Max() + 1, addedTokens.Count == 0 ? 0 : addedTokens.Max(t => t.Id) + 1);
        VocabularySize = size;
        _tokenBytes = new byte[size][];
        _special = new bool[size];
        foreach (var (id, bytes) in modelTokenBytes)
        {
            _tokenBytes[id] = bytes;
        }

        // An added token's text is its content as written, even where the model's vocabulary has the same id.
        _addedByContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (var token in addedTokens)
        {
            _tokenBytes[token.Id] = Encoding.UTF8.GetBytes(token.Content);
            _special[token.Id] = token.Special;
            _addedByContent[token.Content] = token;
        }

        for (var id = 0; id < size; id++)
        {
            _tokenBytes[id] ??= [];
        }

        SpecialTokens = addedTokens.Where(t => t.Special).GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        _addedPattern = AddedTokenPattern(addedTokens);
        BosTokenId = bosTokenId;
        EosTokenIds = eosTokenIds;
        AddBosToken = addBosToken && bosTokenId is not null;
    }

    /// <summary>What the tokenizer was built from, for logs and errors (for example <c>tokenizer.json (byte-level BPE)</c>).</summary>
    public string Description { get; }

    /// <summary>
    /// One more than the largest token id the tokenizer knows (model vocabulary and added tokens). The model's logits
    /// may be wider; ids without a token decode to nothing.
    /// </summary>
    public int VocabularySize { get; }

    /// <summary>The tokens that end generation: the configured EOS and, where the model folder says so, more (generation_config.json). May be empty.</summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>The beginning-of-sequence token, when the tokenizer configuration names one.</summary>
    public int? BosTokenId { get; }

    /// <summary>True when <see cref="Encode(string)"/> puts <see cref="BosTokenId"/> first (tokenizer_config.json <c>add_bos_token</c>).</summary>
    public bool AddBosToken { get; }

    /// <summary>The special tokens by their text (<c>&lt;|endoftext|&gt;</c>, <c>&lt;|im_end|&gt;</c>…): those <see cref="IsSpecial"/> is true for.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>
    /// The ids of a text. Added and special tokens written in the text (<c>&lt;|im_start|&gt;</c> in a rendered chat
    /// prompt) are matched whole, as Hugging Face tokenizers do; the rest goes through the model's BPE. BOS comes first
    /// only when <see cref="AddBosToken"/> is true.
    /// </summary>
    public int[] Encode(string text) => Encode(text, addBosToken: AddBosToken);

    /// <summary>
    /// The ids of a text, with BOS first only when <paramref name="addBosToken"/> is true and there is a BOS: false for
    /// a chat prompt whose template writes the BOS itself (<see cref="ChatTemplate.RendersBos"/>).
    /// </summary>
    public int[] Encode(string text, bool addBosToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        if (addBosToken && BosTokenId is not null)
        {
            ids.Add(BosTokenId!.Value);
        }

        var start = 0;
        if (_addedPattern is not null)
        {
            foreach (Match match in _addedPattern.Matches(text))
            {
                EncodeChunk(text[start..match.Index], ids);
                ids.Add(Added(match.Value).Id);
                start = match.Index + match.Length;
            }
        }

        EncodeChunk(text[start..], ids);
        return [.. ids];
    }

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> tokens, bool skipSpecialTokens)
    {
        var length = 0;
        foreach (var token in tokens)
        {
            length += Bytes(token, skipSpecialTokens).Length;
        }

        var bytes = length <= 1024 ? stackalloc byte[length] : new byte[length];
        var at = 0;
        foreach (var token in tokens)
        {
            var piece = Bytes(token, skipSpecialTokens);
            piece.CopyTo(bytes[at..]);
            at += piece.Length;
        }

        // The replacing decoder turns a trailing incomplete sequence into U+FFFD, which is what the engine holds back.
        return Encoding.UTF8.GetString(bytes);
    }

    /// <inheritdoc />
    public bool IsSpecial(int token) => (uint)token < (uint)_special.Length && _special[token];

    /// <summary>
    /// The id of the single token whose text is exactly <paramref name="tokenText"/> (an added or special token such as
    /// <c>&lt;|im_end|&gt;</c>, or a vocabulary entry such as <c>&lt;/s&gt;</c>); null when the text is not one token.
    /// </summary>
    public int? TokenId(string tokenText)
    {
        ArgumentNullException.ThrowIfNull(tokenText);
        if (_addedByContent.TryGetValue(tokenText, out var added))
        {
            return added.Id;
        }

        if (tokenText.Length == 0)
        {
            return null;
        }

        var ids = new List<int>();
        EncodeChunk(tokenText, ids);
        return ids.Count == 1 ? ids[0] : null;
    }

    /// <summary>The bytes a token stands for (empty for an id without a token): OpenAI's logprobs report them.</summary>
    internal ReadOnlySpan<byte> TokenBytes(int token) => Bytes(token, skipSpecialTokens: false);

    private ReadOnlySpan<byte> Bytes(int token, bool skipSpecialTokens)
    {
        if ((uint)token >= (uint)_tokenBytes.Length || (skipSpecialTokens && _special[token]))
        {
            return [];
        }

        return _tokenBytes[token];
    }

    private void EncodeChunk(string chunk, List<int> ids)
    {
        if (chunk.Length == 0)
        {
            return;
        }

        // With InvariantGlobalization (this server's default) Normalize leaves non-ASCII text as it is: text already in
        // NFC, which is nearly all text, encodes as Hugging Face encodes it; decomposed text may not.
        if (_normalizeNfc)
        {
            chunk = chunk.Normalize(NormalizationForm.FormC);
        }

        if (_addPrefixSpace && chunk[0] != ' ')
        {
            chunk = " " + chunk;
        }

        ids.AddRange(_model.EncodeToIds(chunk));
    }

    private AddedToken Added(string matched) =>
        _addedByContent.TryGetValue(matched, out var token) ? token : _addedByContent[matched.Trim()];

    private static Regex? AddedTokenPattern(IReadOnlyList<AddedToken> addedTokens)
    {
        if (addedTokens.Count == 0)
        {
            return null;
        }

        // Longest first: .NET alternation takes the first alternative that matches, so this is leftmost-longest, as
        // the Hugging Face added-token matcher is.
        var alternatives = addedTokens
            .Where(t => t.Content.Length > 0)
            .OrderByDescending(t => t.Content.Length)
            .Select(t => (t.LStrip ? @"\s*" : "") + Regex.Escape(t.Content) + (t.RStrip ? @"\s*" : ""));
        return new Regex(string.Join('|', alternatives), RegexOptions.CultureInvariant);
    }
}
