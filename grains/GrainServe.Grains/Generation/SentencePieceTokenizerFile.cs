using System.Text;
using System.Text.Json;
using GrainServe.Runtime;
using Microsoft.ML.Tokenizers;

namespace GrainServe.Generation;

/// <summary>
/// Builds a <see cref="GenerationTokenizer"/> from a SentencePiece <c>tokenizer.model</c>. A Unigram model (T5,
/// ALBERT, XLM-R) is normalized by Microsoft.ML.Tokenizers and segmented by <see cref="UnigramModel"/>
/// (<see cref="SentencePieceUnigramTokenizerModel"/>); a BPE
/// model (Llama 2, Mistral, TinyLlama, Gemma) is built the way Hugging Face's <c>LlamaConverter</c> turns one into a fast tokenizer, which is
/// what transformers and vLLM load when a model ships no tokenizer.json: every piece's splits into two pieces become
/// merges ranked by the piece's score, spaces become <c>▁</c> with a <c>▁</c> in front of each run of text
/// (tokenizer_config.json <c>legacy: false</c>: only in front of the text's start), and decoding turns <c>▁</c> back into
/// spaces, <c>&lt;0xNN&gt;</c> pieces into bytes, and drops the dummy prefix's space. Control and unknown pieces are
/// special added tokens and user-defined pieces plain ones; tokenizer_config.json's <c>added_tokens_decoder</c> may
/// say more.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers' SentencePieceTokenizer (2.0.1) is not used to encode: of two equal-scored merges it takes
/// the rightmost where SentencePiece takes the leftmost, so <c>ellll</c> comes out <c>▁ el l ll</c> instead of
/// <c>▁ el ll l</c> (a test pins this).
/// </remarks>
internal static class SentencePieceTokenizerFile
{
    /// <summary>Builds the tokenizer in <paramref name="file"/>.</summary>
    /// <exception cref="ModelLoadException">The model is not a BPE SentencePiece model this server can encode with.</exception>
    public static GenerationTokenizer Load(string file)
    {
        var proto = SentencePieceModelProto.Parse(File.ReadAllBytes(file));
        Check(file, proto);

        var vocabulary = new Dictionary<string, int>(proto.Pieces.Count, StringComparer.Ordinal);
        var bytes = new Dictionary<int, byte[]>(proto.Pieces.Count);
        var added = new Dictionary<int, AddedToken>();
        for (var id = 0; id < proto.Pieces.Count; id++)
        {
            var (piece, _, type) = proto.Pieces[id];
            vocabulary[piece] = id;
            switch (type)
            {
                case SentencePieceModelProto.PieceType.Byte when ByteFallbackBpe.ByteOf(piece) is { } b:
                    bytes[id] = [b];
                    break;
                case SentencePieceModelProto.PieceType.Control or SentencePieceModelProto.PieceType.Unknown:
                    added[id] = new AddedToken(id, piece, Special: true);
                    break;
                case SentencePieceModelProto.PieceType.UserDefined:
                    added[id] = new AddedToken(id, piece, Special: false);
                    break;
                default:
                    bytes[id] = Encoding.UTF8.GetBytes(piece.Replace(MetaspaceTokenizerModel.Replacement, ' '));
                    break;
            }
        }

        var folder = Path.GetDirectoryName(file)!;
        foreach (var token in TokenizerConfigFiles.AddedTokensDecoder(folder))
        {
            added[token.Id] = token;
        }

        var config = TokenizerConfigFiles.ReadJson(Path.Combine(folder, TokenizerConfigFiles.TokenizerConfig));
        var addPrefixSpace = Bool(config, "add_prefix_space") ?? proto.AddDummyPrefix;
        var steps = Bool(config, "legacy") is false
            ? new MetaspaceTokenizerModel.Steps(false, false, new MetaspaceTokenizerModel.MetaspaceStep(
                addPrefixSpace ? MetaspaceTokenizerModel.PrependScheme.First : MetaspaceTokenizerModel.PrependScheme.Never, Split: false))
            : new MetaspaceTokenizerModel.Steps(addPrefixSpace, NormalizerReplacesSpaces: true, PreTokenizer: null);
        var addedTokens = added.Values.OrderBy(t => t.Id).ToList();
        ITokenizerModel model;
        Func<string, int?> pieceId;
        if (proto.Model == SentencePieceModelProto.ModelType.Unigram)
        {
            // SentencePiece's lattice holds normal and user-defined pieces only, and its lowest score is theirs.
            var outside = Enumerable.Range(0, proto.Pieces.Count)
                .Where(id => proto.Pieces[id].Type is not (SentencePieceModelProto.PieceType.Normal or SentencePieceModelProto.PieceType.UserDefined))
                .ToHashSet();
            var unigram = new UnigramModel([.. proto.Pieces.Select(p => (p.Piece, (double)p.Score))], proto.UnknownId, proto.ByteFallback, outside);
            var tokenizer = new SentencePieceUnigramTokenizerModel(Unigram(file, proto).Normalizer, unigram);
            (model, pieceId) = (tokenizer, tokenizer.TokenId);
        }
        else
        {
            var unknown = proto.UnknownId >= 0 && proto.UnknownId < proto.Pieces.Count ? proto.Pieces[proto.UnknownId].Piece : null;
            var bpe = new ByteFallbackBpe(vocabulary, Merges(proto, vocabulary), proto.ByteFallback, unknown, fuseUnknown: true, ignoreMerges: false);
            (model, pieceId) = (new MetaspaceTokenizerModel(bpe, steps), bpe.TokenId);
        }

        int? Lookup(string text) =>
            addedTokens.FirstOrDefault(a => a.Content == text) is { } token ? token.Id : pieceId(text);
        int? Piece(int id) => id >= 0 && id < proto.Pieces.Count ? id : null;
        var (bos, eos, addBos) = TokenizerConfigFiles.SpecialTokens(folder, file, Lookup, Piece(proto.BosId), Piece(proto.EosId), defaultAddBos: Piece(proto.BosId) is not null);

        var description = $"{file} (SentencePiece {(proto.Model == SentencePieceModelProto.ModelType.Unigram ? "Unigram" : "BPE")}{(proto.ByteFallback ? ", byte fallback" : "")})";
        return new GenerationTokenizer(description, model, bytes, addedTokens, bos, eos, addBos, leadingSpacesStripped: addPrefixSpace ? 1 : 0);
    }

    // transformers' generate_merges: for each piece in id order, its splits into two pieces (by code point, ordered by
    // the halves' ids), then all of them stably by score, longer left half, longer right half, each descending.
    private static List<(string Left, string Right)> Merges(SentencePieceModelProto proto, Dictionary<string, int> vocabulary)
    {
        var merges = new List<(string Left, string Right, float Score, int LeftLength, int RightLength)>();
        var local = new List<(string Left, string Right, float Score, int LeftLength, int RightLength)>();
        foreach (var (piece, score, _) in proto.Pieces)
        {
            // Code point boundaries: a split never falls between the halves of a surrogate pair.
            var boundaries = Enumerable.Range(1, Math.Max(0, piece.Length - 1)).Where(i => !char.IsLowSurrogate(piece[i])).ToArray();
            local.Clear();
            for (var k = 0; k < boundaries.Length; k++)
            {
                var (left, right) = (piece[..boundaries[k]], piece[boundaries[k]..]);
                if (vocabulary.ContainsKey(left) && vocabulary.ContainsKey(right))
                {
                    local.Add((left, right, score, k + 1, boundaries.Length - k));
                }
            }

            merges.AddRange(local.OrderBy(m => vocabulary[m.Left]).ThenBy(m => vocabulary[m.Right]));
        }

        return merges
            .OrderByDescending(m => m.Score).ThenByDescending(m => m.LeftLength).ThenByDescending(m => m.RightLength)
            .Select(m => (m.Left, m.Right))
            .ToList();
    }

    private static SentencePieceTokenizer Unigram(string file, SentencePieceModelProto proto)
    {
        var bytes = File.ReadAllBytes(file);
        if (proto.BosId < 0 && proto.EosId >= 0)
        {
            // No BOS (T5): give Microsoft.ML.Tokenizers the EOS's id, which it then writes back over; it never adds
            // either (addBeginningOfSentence is false), and its vocabulary is not used to look up pieces here.
            bytes = SentencePieceModelProto.WithBosId(bytes, proto.EosId);
        }

        try
        {
            using var stream = new MemoryStream(bytes);
            return SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException)
        {
            throw new ModelLoadException($"{file}: Microsoft.ML.Tokenizers cannot build this SentencePiece Unigram model (its bos_id {proto.BosId}, eos_id {proto.EosId} and unk_id {proto.UnknownId} must name pieces): {e.Message}", e);
        }
    }

    private static bool? Bool(JsonElement? config, string name) =>
        config is { } c && c.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.ValueKind == JsonValueKind.True
            : null;

    private static void Check(string file, SentencePieceModelProto proto)
    {
        if (proto.Pieces.Count == 0 || !proto.HasTrainerSpec)
        {
            throw new ModelLoadException($"{file} is not a SentencePiece model: it has {(proto.Pieces.Count == 0 ? "no pieces" : "no trainer_spec")}");
        }

        if (proto.Model is not (SentencePieceModelProto.ModelType.Bpe or SentencePieceModelProto.ModelType.Unigram))
        {
            throw new ModelLoadException($"{file}: SentencePiece model_type {proto.Model} is not supported; only BPE models (Llama 2, Mistral, TinyLlama, Gemma) and Unigram ones (T5, ALBERT, XLM-R) can be built, or use the model's tokenizer.json");
        }

        if (proto.Model == SentencePieceModelProto.ModelType.Unigram)
        {
            // Microsoft.ML.Tokenizers applies a Unigram model's normalizer (its precompiled character map) itself.
            return;
        }

        if (proto.TreatWhitespaceAsSuffix)
        {
            throw new ModelLoadException($"{file}: treat_whitespace_as_suffix is not supported; the ▁ of a word must lead it");
        }

        // Other normalizations need the precompiled character map applied exactly as SentencePiece applies it.
        if (proto.NormalizerName is not ("" or "identity"))
        {
            throw new ModelLoadException($"{file}: SentencePiece normalizer '{proto.NormalizerName}' is not supported; only identity (as Llama 2, Mistral and Gemma use) is");
        }
    }
}
