namespace GrainServe.Generation;

/// <summary>
/// The model step of a SentencePiece-style tokenizer: one pre-tokenized word (spaces already written as <c>▁</c>) to
/// ids. <see cref="ByteFallbackBpe"/> merges ranked pairs; <see cref="UnigramModel"/> takes the best-scored segmentation.
/// Implementations are immutable and safe to share between threads.
/// </summary>
internal interface ISubwordModel
{
    /// <summary>Appends the ids of one pre-tokenized word, which is never empty.</summary>
    void Encode(string word, List<int> ids);

    /// <summary>The id of the vocabulary entry <paramref name="token"/>, or null.</summary>
    int? TokenId(string token);
}
