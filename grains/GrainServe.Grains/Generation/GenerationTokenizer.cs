using System.Text;
using System.Text.RegularExpressions;

namespace GrainServe.Generation;

/// <summary>
/// The tokenizer of a generative model: text to token ids for the prompt, ids back to text for the engine. Decoding
/// is byte-exact: every token stands for a run of bytes, a run of tokens decodes to the UTF-8 text of their
/// concatenated bytes, and a run that ends inside a multi-byte character ends in U+FFFD. SentencePiece-style
/// tokenizers also drop what their Hugging Face decoder drops at the start of a run: the leading space (<c>Strip</c>) or
/// the first token's <c>▁</c> (<c>Metaspace</c>). Built by <see cref="GenerationTokenizerLoader"/>; immutable and safe
/// to share between threads.
/// </summary>
public sealed class GenerationTokenizer : ITokenDecoder
{
    private readonly ITokenizerModel _model;
    private readonly byte[][] _tokenBytes;
    private readonly byte[]?[]? _firstTokenBytes;
    private readonly bool[] _special;
    private readonly Dictionary<string, AddedToken> _addedByContent;
    private readonly Regex? _addedPattern;
    private readonly int _leadingSpacesStripped;

    /// <param name="description">What the tokenizer was built from.</param>
    /// <param name="model">Encodes the text between added tokens.</param>
    /// <param name="modelTokenBytes">The bytes each model token decodes to.</param>
    /// <param name="addedTokens">Tokens matched whole before the model runs; they decode to their content.</param>
    /// <param name="bosTokenId">The beginning-of-sequence token, if any.</param>
    /// <param name="eosTokenIds">The tokens that end generation.</param>
    /// <param name="addBosToken">Whether <see cref="Encode(string)"/> puts the BOS first.</param>
    /// <param name="leadingSpacesStripped">How many leading spaces a decoded run loses (Hugging Face's <c>Strip</c> decoder after <c>Fuse</c>).</param>
    /// <param name="firstTokenBytes">What a model token decodes to when it comes first in a run, where that differs (the <c>Metaspace</c> decoder).</param>
    internal GenerationTokenizer(
        string description,
        ITokenizerModel model,
        IReadOnlyDictionary<int, byte[]> modelTokenBytes,
        IReadOnlyList<AddedToken> addedTokens,
        int? bosTokenId,
        IReadOnlyList<int> eosTokenIds,
        bool addBosToken,
        int leadingSpacesStripped = 0,
        IReadOnlyDictionary<int, byte[]>? firstTokenBytes = null)
    {
        Description = description;
        _model = model;
        _leadingSpacesStripped = leadingSpacesStripped;
        var size = Math.Max(modelTokenBytes.Count == 0 ? 0 : modelTokenBytes.Keys.Max() + 1, addedTokens.Count == 0 ? 0 : addedTokens.Max(t => t.Id) + 1);
        VocabularySize = size;
        _tokenBytes = new byte[size][];
        _special = new bool[size];
        foreach (var (id, bytes) in modelTokenBytes)
        {
            _tokenBytes[id] = bytes;
        }

        if (firstTokenBytes is not null)
        {
            _firstTokenBytes = new byte[size][];
            foreach (var (id, bytes) in firstTokenBytes)
            {
                _firstTokenBytes[id] = bytes;
            }
        }

        // An added token's text is its content as written, even where the model's vocabulary has the same id.
        _addedByContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (var token in addedTokens)
        {
            _tokenBytes[token.Id] = Encoding.UTF8.GetBytes(token.Content);
            _special[token.Id] = token.Special;
            _addedByContent[token.Content] = token;
            if (_firstTokenBytes is not null)
            {
                _firstTokenBytes[token.Id] = null;
            }
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
                EncodeChunk(text[start..match.Index], start == 0, ids);
                ids.Add(Added(match.Value).Id);
                start = match.Index + match.Length;
            }
        }

        EncodeChunk(text[start..], start == 0, ids);
        return [.. ids];
    }

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> tokens, bool skipSpecialTokens)
    {
        var length = 0;
        var first = true;
        foreach (var token in tokens)
        {
            length += Bytes(token, skipSpecialTokens, ref first).Length;
        }

        var bytes = length <= 1024 ? stackalloc byte[length] : new byte[length];
        var at = 0;
        first = true;
        foreach (var token in tokens)
        {
            var piece = Bytes(token, skipSpecialTokens, ref first);
            piece.CopyTo(bytes[at..]);
            at += piece.Length;
        }

        // Strip takes spaces off the fused text, and a space is one byte, so it can come off before the UTF-8 decode.
        var stripped = 0;
        while (stripped < _leadingSpacesStripped && stripped < bytes.Length && bytes[stripped] == (byte)' ')
        {
            stripped++;
        }

        // The replacing decoder turns a trailing incomplete sequence into U+FFFD, which is what the engine holds back.
        // Hugging Face's ByteFallback writes one U+FFFD per byte of a byte-token run that is not whole UTF-8 instead; on
        // whole UTF-8 the two agree, and the detokenizer releases nothing else before a sequence ends.
        return Encoding.UTF8.GetString(bytes[stripped..]);
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

        return _model.TokenId(tokenText);
    }

    /// <summary>The model half, for tokenizers that encode text without matching added tokens (Whisper's prompts).</summary>
    internal ITokenizerModel Model => _model;

    /// <summary>The bytes a token stands for (empty for an id without a token): OpenAI's logprobs report them.</summary>
    internal ReadOnlySpan<byte> TokenBytes(int token)
    {
        var first = false;
        return Bytes(token, skipSpecialTokens: false, ref first);
    }

    // first: whether no token of the run has been decoded yet. Ids past the vocabulary and skipped special tokens do
    // not count, as Hugging Face's decode leaves them out before its decoder runs.
    private byte[] Bytes(int token, bool skipSpecialTokens, ref bool first)
    {
        if ((uint)token >= (uint)_tokenBytes.Length || (skipSpecialTokens && _special[token]))
        {
            return [];
        }

        var leading = first;
        first = false;
        return leading && _firstTokenBytes?[token] is { } firstBytes ? firstBytes : _tokenBytes[token];
    }

    private void EncodeChunk(string chunk, bool atTextStart, List<int> ids)
    {
        if (chunk.Length > 0)
        {
            _model.Encode(chunk, atTextStart, ids);
        }
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
