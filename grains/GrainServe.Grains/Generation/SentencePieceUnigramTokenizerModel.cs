using Microsoft.ML.Tokenizers;

namespace GrainServe.Generation;

/// <summary>
/// A SentencePiece Unigram <c>tokenizer.model</c> (T5, ALBERT, XLM-R, mT5): SentencePiece's normalization by
/// Microsoft.ML.Tokenizers' SentencePiece normalizer (the model's precompiled character map,
/// <c>remove_extra_whitespaces</c>, <c>add_dummy_prefix</c>, spaces as <c>▁</c>), then the pieces' Viterbi segmentation by
/// <see cref="UnigramModel"/>. Each run of text between added tokens is encoded on its own, as transformers' slow
/// tokenizer (and its <c>legacy</c> default) does.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers 2.0.1's own Unigram encoder is not used: it throws on a model without a BOS (T5's bos_id is
/// -1), and with byte fallback it writes byte n as the id of the last byte piece plus n, not the first (a test pins
/// both).
/// </remarks>
internal sealed class SentencePieceUnigramTokenizerModel(Normalizer? normalizer, UnigramModel model) : ITokenizerModel
{
    public void Encode(string chunk, bool atTextStart, List<int> ids)
    {
        var text = normalizer is null ? chunk : normalizer.Normalize(chunk);
        if (text.Length > 0)
        {
            model.Encode(text, ids);
        }
    }

    // Hugging Face's convert_tokens_to_ids: the piece, with the text's spaces written as ▁.
    public int? TokenId(string tokenText) => model.TokenId(tokenText.Replace(' ', MetaspaceTokenizerModel.Replacement));
}
