namespace GrainServe.Generation;

/// <summary>
/// The Unigram model of Hugging Face tokenizers (T5, ALBERT, XLM-R, mT5, mBART): every piece has a score (a log
/// probability), and a word is cut into the pieces whose scores add up highest (Viterbi over the lattice of every piece
/// that matches at every position). A character no piece starts with is the unknown piece, scored the lowest piece's
/// score minus 10; a run of unknowns is fused into one, then written as its UTF-8 bytes' <c>&lt;0xNN&gt;</c> pieces when
/// the model has <c>byte_fallback</c> and all of them, else as <c>unk_id</c>. Follows
/// <c>tokenizers/src/models/unigram/model.rs</c> (<c>encode_optimized</c>, <c>tokenize</c>) step for step, ties included:
/// of two paths to the same position with the same score the first found wins, which is the one whose last piece
/// starts earliest.
/// </summary>
internal sealed class UnigramModel : ISubwordModel
{
    // Hugging Face's K_UNK_PENALTY (SentencePiece's kUnkPenalty).
    private const double UnknownPenalty = 10.0;

    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int> _lattice;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly double[] _scores;
    private readonly int _maxPieceLength;
    private readonly int _unknownId;
    private readonly double _unknownScore;
    private readonly int[]? _byteTokens;

    /// <param name="pieces">The pieces in id order with their scores (tokenizer.json's <c>model.vocab</c>).</param>
    /// <param name="unknownId">The id of the unknown piece (<c>model.unk_id</c>).</param>
    /// <param name="byteFallback">Whether an unknown run becomes its bytes' <c>&lt;0xNN&gt;</c> pieces where the vocabulary has them all.</param>
    /// <param name="outsideLattice">
    /// Pieces never matched in text and left out of the lowest score: SentencePiece's control, unknown and byte pieces.
    /// Hugging Face's tokenizer.json model matches every piece, so it passes none.
    /// </param>
    /// <exception cref="FormatException">No pieces, a piece given twice, or an unknown id outside the pieces.</exception>
    public UnigramModel(IReadOnlyList<(string Piece, double Score)> pieces, int unknownId, bool byteFallback, IReadOnlySet<int>? outsideLattice = null)
    {
        if (pieces.Count == 0)
        {
            throw new FormatException("model.vocab has no pieces");
        }

        if (unknownId < 0 || unknownId >= pieces.Count)
        {
            throw new FormatException($"model.unk_id {unknownId} is not the id of a piece (there are {pieces.Count})");
        }

        _ids = new Dictionary<string, int>(pieces.Count, StringComparer.Ordinal);
        _lattice = new Dictionary<string, int>(pieces.Count, StringComparer.Ordinal);
        _scores = new double[pieces.Count];
        var minScore = double.PositiveInfinity;
        for (var id = 0; id < pieces.Count; id++)
        {
            var (piece, score) = pieces[id];
            if (!_ids.TryAdd(piece, id))
            {
                throw new FormatException($"model.vocab has the piece '{piece}' twice (ids {_ids[piece]} and {id})");
            }

            _scores[id] = score;
            if (outsideLattice?.Contains(id) is not true)
            {
                _lattice[piece] = id;
                _maxPieceLength = Math.Max(_maxPieceLength, piece.Length);
                minScore = Math.Min(minScore, score);
            }
        }

        _lookup = _lattice.GetAlternateLookup<ReadOnlySpan<char>>();
        _unknownId = unknownId;
        _unknownScore = minScore - UnknownPenalty;
        if (byteFallback)
        {
            _byteTokens = new int[256];
            for (var b = 0; b < 256; b++)
            {
                _byteTokens[b] = _ids.TryGetValue(ByteFallbackBpe.ByteToken(b), out var id) ? id : -1;
            }
        }
    }

    /// <summary>How many pieces the model has.</summary>
    public int Count => _scores.Length;

    public int? TokenId(string token) => _ids.TryGetValue(token, out var id) ? id : null;

    public void Encode(string word, List<int> ids)
    {
        // best[end]: the best path over word[..end] as its score, the start of its last piece and that piece (-1 for an
        // unknown character). Positions are UTF-16 indices; only code point boundaries are ever reached.
        var n = word.Length;
        var score = new double[n + 1];
        var start = new int[n + 1];
        var piece = new int[n + 1];
        Array.Fill(start, -1);
        start[0] = 0;
        for (var at = 0; at < n; at = Next(word, at))
        {
            var tillHere = score[at];
            var characterEnd = Next(word, at);
            var hasSingleCharacter = false;
            for (var end = at + 1; end <= n && end - at <= _maxPieceLength; end++)
            {
                if (end < n && char.IsLowSurrogate(word[end]))
                {
                    continue;
                }

                if (!_lookup.TryGetValue(word.AsSpan(at, end - at), out var id))
                {
                    continue;
                }

                Relax(end, tillHere + _scores[id], id);
                hasSingleCharacter |= end == characterEnd;
            }

            if (!hasSingleCharacter)
            {
                Relax(characterEnd, tillHere + _unknownScore, -1);
            }

            void Relax(int end, double candidate, int id)
            {
                if (start[end] < 0 || candidate > score[end])
                {
                    score[end] = candidate;
                    start[end] = at;
                    piece[end] = id;
                }
            }
        }

        // Back from the end; a run of unknown characters (the unknown piece itself included, as Hugging Face compares
        // ids) is one piece.
        var cuts = new List<(int Start, int End, int Id)>();
        for (var end = n; end > 0;)
        {
            var id = piece[end] < 0 ? _unknownId : piece[end];
            if (id == _unknownId && cuts.Count > 0 && cuts[^1].Id == _unknownId)
            {
                cuts[^1] = (start[end], cuts[^1].End, _unknownId);
            }
            else
            {
                cuts.Add((start[end], end, id));
            }

            end = start[end];
        }

        for (var i = cuts.Count - 1; i >= 0; i--)
        {
            var (from, to, id) = cuts[i];
            // A piece of the vocabulary is itself; a fused run (or a lone unknown character) is looked up as text, as
            // Hugging Face does, then falls back to bytes or the unknown piece.
            if (_lookup.TryGetValue(word.AsSpan(from, to - from), out var known))
            {
                ids.Add(known);
            }
            else if (!TryAddBytes(word.AsSpan(from, to - from), ids))
            {
                ids.Add(id);
            }
        }
    }

    private bool TryAddBytes(ReadOnlySpan<char> text, List<int> ids)
    {
        if (_byteTokens is null)
        {
            return false;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToArray());
        foreach (var b in bytes)
        {
            if (_byteTokens[b] < 0)
            {
                return false;
            }
        }

        foreach (var b in bytes)
        {
            ids.Add(_byteTokens[b]);
        }

        return true;
    }

    private static int Next(string text, int at) =>
        char.IsHighSurrogate(text[at]) && at + 1 < text.Length && char.IsLowSurrogate(text[at + 1]) ? at + 2 : at + 1;
}
