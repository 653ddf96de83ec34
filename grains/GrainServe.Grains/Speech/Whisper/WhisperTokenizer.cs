using System.Globalization;
using GrainServe.Generation;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Whisper's tokenizer, as openai/whisper's <c>tokenizer.py</c> builds it: GPT-2's byte-level BPE (the multilingual
/// vocabulary, or GPT-2's own for English-only models) followed by <see cref="WhisperSpecialTokens"/>. Built by
/// <see cref="Load"/> from a model folder; immutable and safe to share between threads.
/// </summary>
public sealed class WhisperTokenizer : ITokenDecoder
{
    // tokenizer.py's non_speech_tokens: single symbols, then runs of them, then the 3-byte musical symbols whose first
    // token is suppressed even when they take several (they share their first two bytes with other U+26xx symbols).
    private static readonly string[] NonSpeechSymbols =
    [
        .. "\"#()*+/:;<=>@[\\]^_`{|}~「」『』".Select(c => c.ToString()),
        "<<", ">>", "<<<", ">>>", "--", "---", "-(", "-[", "('", "(\"", "((", "))", "(((", ")))", "[[", "]]", "{{", "}}", "♪♪", "♪♪♪",
    ];

    private const string MiscellaneousSymbols = "♩♪♫♬♭♮♯";

    private readonly ITokenizerModel _model;
    private readonly GenerationTokenizer _decoder;
    private readonly Lazy<IReadOnlyList<int>> _nonSpeechTokens;

    /// <param name="description">What the tokenizer was built from.</param>
    /// <param name="model">Encodes text; never matches special tokens.</param>
    /// <param name="ordinaryTokenBytes">The bytes of each ordinary token, ids below <see cref="WhisperSpecialTokens.EndOfText"/>.</param>
    /// <param name="specialTokens">The special-token layout, already checked against the files.</param>
    /// <param name="isMultilingual">Whether the model is multilingual (its vocabulary is <c>multilingual.tiktoken</c>'s).</param>
    internal WhisperTokenizer(string description, ITokenizerModel model, IReadOnlyDictionary<int, byte[]> ordinaryTokenBytes, WhisperSpecialTokens specialTokens, bool isMultilingual)
    {
        Description = description;
        SpecialTokens = specialTokens;
        IsMultilingual = isMultilingual;
        _model = model;
        var added = specialTokens.All().Select(p => new AddedToken(p.Value, p.Key, Special: true)).ToList();
        _decoder = new GenerationTokenizer(description, model, ordinaryTokenBytes, added, bosTokenId: null, eosTokenIds: [specialTokens.EndOfText], addBosToken: false);
        _nonSpeechTokens = new Lazy<IReadOnlyList<int>>(ComputeNonSpeechTokens);
    }

    /// <summary>What the tokenizer was built from, for logs and errors (for example <c>/models/whisper/1/multilingual.tiktoken</c>).</summary>
    public string Description { get; }

    /// <summary>The ids of the special tokens: start of transcript, languages, tasks, timestamps.</summary>
    public WhisperSpecialTokens SpecialTokens { get; }

    /// <summary>
    /// True for a multilingual model (51865 or 51866 logits): its prompt names a language and a task. False for an
    /// English-only one (51864), whose vocabulary is GPT-2's and whose prompt is <c>&lt;|startoftranscript|&gt;</c> alone.
    /// </summary>
    public bool IsMultilingual { get; }

    /// <summary>The number of token ids, ordinary and special: the width of the model's logits.</summary>
    public int VocabularySize => SpecialTokens.VocabularySize;

    /// <summary>
    /// Whisper's <c>non_speech_tokens</c>: symbols that mark speakers or non-speech (<c>♪</c>, <c>[</c>, <c>(</c>, a
    /// leading <c>-</c> or <c>'</c>…), sorted. Basic punctuation is not among them.
    /// </summary>
    public IReadOnlyList<int> NonSpeechTokens => _nonSpeechTokens.Value;

    /// <summary>
    /// The ids of <paramref name="text"/>, as <c>tokenizer.encode</c> gives them. Special tokens written in the text
    /// (<c>&lt;|endoftext|&gt;</c>) are encoded as the characters they are: the text comes from requests (a prompt),
    /// and openai/whisper's tiktoken refuses special-token text rather than let it steer the decoder.
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        if (text.Length > 0)
        {
            _model.Encode(text, atTextStart: true, ids);
        }

        return [.. ids];
    }

    /// <summary>
    /// The text of <paramref name="tokens"/> without timestamp tokens, as <c>tokenizer.decode</c> gives it; the other
    /// special tokens (<c>&lt;|en|&gt;</c>, <c>&lt;|endoftext|&gt;</c>) are left out too when <paramref name="skipSpecialTokens"/>
    /// is true, and written as their text otherwise. Ids past the vocabulary decode to nothing.
    /// </summary>
    public string Decode(ReadOnlySpan<int> tokens, bool skipSpecialTokens) =>
        _decoder.Decode(Filter(tokens, keepTimestamps: false, skipSpecialTokens), skipSpecialTokens: false);

    /// <summary>
    /// The text of <paramref name="tokens"/> with each timestamp written as its token, <c>&lt;|1.08|&gt;</c>, as
    /// <c>decode_with_timestamps</c> gives it; other special tokens are left out when <paramref name="skipSpecialTokens"/> is true.
    /// </summary>
    public string DecodeWithTimestamps(ReadOnlySpan<int> tokens, bool skipSpecialTokens = false) =>
        _decoder.Decode(Filter(tokens, keepTimestamps: true, skipSpecialTokens), skipSpecialTokens: false);

    /// <summary>True for every special token: <c>&lt;|endoftext|&gt;</c> and all ids after it, timestamps included.</summary>
    public bool IsSpecial(int token) => token >= SpecialTokens.EndOfText && token < VocabularySize;

    /// <summary>
    /// The tokens a <see cref="SuppressTokensFilter"/> sets to −∞ for the <c>suppress_tokens</c> option, as
    /// <c>DecodingTask._get_suppress_tokens</c> builds them: comma-separated ids, where <c>-1</c> stands for
    /// <see cref="NonSpeechTokens"/>, plus <c>&lt;|transcribe|&gt;</c>, <c>&lt;|translate|&gt;</c>,
    /// <c>&lt;|startoftranscript|&gt;</c>, <c>&lt;|startofprev|&gt;</c>, <c>&lt;|startoflm|&gt;</c> and
    /// <c>&lt;|nospeech|&gt;</c>; sorted, each once. Null or empty gives an empty list: Whisper then adds no
    /// suppress-tokens filter at all, so not even those six are suppressed. Whisper's default is <c>"-1"</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is not an integer, is negative other than <c>-1</c>, or is not a token id.</exception>
    public IReadOnlyList<int> SuppressTokens(string? suppressTokens)
    {
        if (string.IsNullOrWhiteSpace(suppressTokens))
        {
            return [];
        }

        var ids = new List<int>();
        foreach (var part in suppressTokens.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
            {
                throw new ArgumentException($"suppress_tokens '{suppressTokens}': '{part}' is not an integer; give comma-separated token ids, -1 for Whisper's non-speech symbols", nameof(suppressTokens));
            }

            ids.Add(id);
        }

        return SuppressTokens(ids);
    }

    /// <summary>
    /// <see cref="SuppressTokens(string)"/> for ids already parsed: <c>-1</c> among them stands for
    /// <see cref="NonSpeechTokens"/>; an empty list gives an empty list.
    /// </summary>
    /// <exception cref="ArgumentException">An id is negative other than <c>-1</c>, or is not below <see cref="VocabularySize"/>.</exception>
    public IReadOnlyList<int> SuppressTokens(IReadOnlyCollection<int> suppressTokens)
    {
        ArgumentNullException.ThrowIfNull(suppressTokens);
        if (suppressTokens.Count == 0)
        {
            return [];
        }

        var result = new SortedSet<int>();
        foreach (var id in suppressTokens)
        {
            if (id == -1)
            {
                result.UnionWith(NonSpeechTokens);
            }
            else if (id < 0 || id >= VocabularySize)
            {
                throw new ArgumentException($"suppress_tokens: {id} is not a token id of this model (0 to {VocabularySize - 1}, or -1 for Whisper's non-speech symbols)", nameof(suppressTokens));
            }
            else
            {
                result.Add(id);
            }
        }

        var s = SpecialTokens;
        result.UnionWith([s.Transcribe, s.Translate, s.StartOfTranscript, s.StartOfPrevious, s.StartOfLm, s.NoSpeech]);
        return [.. result];
    }

    /// <summary>
    /// Builds the tokenizer of the Whisper model in <paramref name="modelFolder"/> whose logits are
    /// <paramref name="vocabularySize"/> wide (the runtime reads it from the decoder's ONNX output): 51864 for an
    /// English-only model, 51865 for a multilingual one, 51866 for large-v3 and later (100 languages). The vocabulary
    /// comes from the folder's Hugging Face <c>tokenizer.json</c> (with <c>added_tokens.json</c> where there is one),
    /// else its <c>multilingual.tiktoken</c> or <c>gpt2.tiktoken</c>, else, for an English-only model, GPT-2's ranks
    /// shipped with this server.
    /// </summary>
    /// <exception cref="Runtime.ModelLoadException">No vocabulary was found, or the files disagree with the size.</exception>
    public static WhisperTokenizer Load(string modelFolder, int vocabularySize) => WhisperTokenizerLoader.Load(modelFolder, vocabularySize);

    private int[] Filter(ReadOnlySpan<int> tokens, bool keepTimestamps, bool skipSpecialTokens)
    {
        var kept = new List<int>(tokens.Length);
        foreach (var token in tokens)
        {
            var timestamp = SpecialTokens.IsTimestamp(token);
            if (timestamp ? keepTimestamps : !(skipSpecialTokens && IsSpecial(token)))
            {
                kept.Add(token);
            }
        }

        return [.. kept];
    }

    private IReadOnlyList<int> ComputeNonSpeechTokens()
    {
        // Hyphens and single quotes stay allowed between words, not at the start of one.
        var result = new SortedSet<int> { Encode(" -")[0], Encode(" '")[0] };
        foreach (var symbol in NonSpeechSymbols.Concat(MiscellaneousSymbols.Select(c => c.ToString())))
        {
            var miscellaneous = symbol.Length == 1 && MiscellaneousSymbols.Contains(symbol[0], StringComparison.Ordinal);
            foreach (var tokens in new[] { Encode(symbol), Encode(" " + symbol) })
            {
                if (tokens.Length == 1 || miscellaneous)
                {
                    result.Add(tokens[0]);
                }
            }
        }

        return [.. result];
    }
}
