namespace GrainServe.Generation;

/// <summary>
/// The model half of a <see cref="GenerationTokenizer"/>: the ids of a run of text between two added tokens, which the
/// tokenizer has already matched whole. Implementations are immutable and safe to share between threads.
/// </summary>
internal interface ITokenizerModel
{
    /// <summary>
    /// Appends the ids of <paramref name="chunk"/>, which is never empty. <paramref name="atTextStart"/> is true when the
    /// chunk begins the encoded text (Metaspace's <c>prepend_scheme: first</c> prefixes only that chunk).
    /// </summary>
    void Encode(string chunk, bool atTextStart, List<int> ids);

    /// <summary>The id of the single model token written as <paramref name="tokenText"/>, or null; never called with "".</summary>
    int? TokenId(string tokenText);
}
