namespace GrainServe.Generation;

/// <summary>
/// The SentencePiece-style side of a Hugging Face tokenizer.json (Llama 2, Mistral, TinyLlama): spaces become
/// <c>▁</c> and a <c>▁</c> goes in front, by the normalizer (<c>Prepend("▁")</c>, <c>Replace(" ", "▁")</c>), by the
/// <c>Metaspace</c> pre-tokenizer, or both; the result is one word or, with Metaspace's <c>split</c>, a word per
/// <c>▁</c>, each through the subword model: <see cref="ByteFallbackBpe"/>, or <see cref="UnigramModel"/> for T5-style
/// files, whose normalizer may be any <see cref="TokenizerJsonNormalizer"/> and whose pre-tokenizer may split on
/// whitespace first. A SentencePiece BPE tokenizer.model is encoded the same way once converted
/// (<see cref="SentencePieceTokenizerFile"/>).
/// </summary>
internal sealed class MetaspaceTokenizerModel : ITokenizerModel
{
    /// <summary>The character SentencePiece writes for a space, U+2581.</summary>
    public const char Replacement = '\u2581';

    private readonly ISubwordModel _model;
    private readonly Steps _steps;

    public MetaspaceTokenizerModel(ISubwordModel model, Steps steps)
    {
        _model = model;
        _steps = steps;
    }

    /// <summary>Metaspace's <c>prepend_scheme</c>: where it puts a <c>▁</c> in front.</summary>
    public enum PrependScheme
    {
        /// <summary>Only on text that starts the input (not on text after an added token).</summary>
        First,

        /// <summary>On every run of text between added tokens.</summary>
        Always,

        /// <summary>Nowhere.</summary>
        Never,
    }

    /// <summary>The normalizer and pre-tokenizer steps a tokenizer.json asks for.</summary>
    /// <param name="NormalizerPrepends">Whether the normalizer has <c>Prepend("▁")</c>.</param>
    /// <param name="NormalizerReplacesSpaces">Whether the normalizer has <c>Replace(" ", "▁")</c>.</param>
    /// <param name="PreTokenizer">The Metaspace pre-tokenizer, or null without one.</param>
    /// <param name="Normalizer">A tokenizer.json's whole normalizer, applied before the two flags (which are then false).</param>
    /// <param name="WhitespaceSplit">Whether a <c>WhitespaceSplit</c> pre-tokenizer cuts the text into words at whitespace, dropping it, before Metaspace (T5).</param>
    public sealed record Steps(bool NormalizerPrepends, bool NormalizerReplacesSpaces, MetaspaceStep? PreTokenizer, TokenizerJsonNormalizer? Normalizer = null, bool WhitespaceSplit = false);

    /// <summary>The Metaspace pre-tokenizer's settings.</summary>
    /// <param name="PrependScheme">Where a <c>▁</c> goes in front.</param>
    /// <param name="Split">Whether each <c>▁</c> starts a new word (merges never cross one).</param>
    public sealed record MetaspaceStep(PrependScheme PrependScheme, bool Split);

    public void Encode(string chunk, bool atTextStart, List<int> ids)
    {
        var text = _steps.Normalizer is { } normalizer ? normalizer.Normalize(chunk) : chunk;
        if (text.Length == 0)
        {
            return;
        }

        if (_steps.WhitespaceSplit)
        {
            // Each word is pre-tokenized on its own; only one that starts the original text counts as its start.
            var first = true;
            foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                EncodeWord(word, atTextStart && first && !char.IsWhiteSpace(text[0]), ids);
                first = false;
            }

            return;
        }

        EncodeWord(text, atTextStart, ids);
    }

    private void EncodeWord(string text, bool atTextStart, List<int> ids)
    {
        // The normalizer: Prepend writes a ▁ before any non-empty text, Replace turns every space into one.
        if (_steps.NormalizerPrepends)
        {
            text = Replacement + text;
        }

        if (_steps.NormalizerReplacesSpaces)
        {
            text = text.Replace(' ', Replacement);
        }

        // The pre-tokenizer: Metaspace prefixes a ▁ unless there is one, always or only on text that starts at the
        // original text's first character ("first": Hugging Face checks the split's original offset is 0).
        if (_steps.PreTokenizer is { } pre)
        {
            text = text.Replace(' ', Replacement);
            var prefix = pre.PrependScheme == PrependScheme.Always || (pre.PrependScheme == PrependScheme.First && atTextStart);
            if (prefix && text[0] != Replacement)
            {
                text = Replacement + text;
            }

            if (pre.Split)
            {
                // MergedWithNext: each ▁ starts a word, and a run of them is a run of one-▁ words.
                var start = 0;
                for (var i = 1; i < text.Length; i++)
                {
                    if (text[i] == Replacement)
                    {
                        _model.Encode(text[start..i], ids);
                        start = i;
                    }
                }

                _model.Encode(text[start..], ids);
                return;
            }
        }

        _model.Encode(text, ids);
    }

    // Hugging Face's convert_tokens_to_ids: the vocabulary entry, with the text's spaces written as ▁.
    public int? TokenId(string tokenText) =>
        _model.TokenId(tokenText.Replace(' ', Replacement));
}
