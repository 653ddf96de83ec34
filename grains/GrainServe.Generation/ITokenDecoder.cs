namespace GrainServe.Generation;

/// <summary>Turns token ids back into text: what the engine needs of a tokenizer for detokenizing and stop strings.</summary>
public interface ITokenDecoder
{
    /// <summary>
    /// The text of a run of tokens. A run that ends inside a multi-byte UTF-8 character ends in U+FFFD; the engine's
    /// incremental detokenizer holds such text back until the character is complete.
    /// </summary>
    string Decode(ReadOnlySpan<int> tokens, bool skipSpecialTokens);

    /// <summary>True for a special token (EOS, a chat marker): it is left out of text when special tokens are skipped.</summary>
    bool IsSpecial(int token);
}
