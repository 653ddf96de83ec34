namespace GrainServe.Generation;

/// <summary>
/// Text-generation-inference's prefix/read offset detokenizer: each new token's text is the decode of a short
/// window of tokens minus the decode of that window without the new tokens, so tokenizers whose pieces depend on
/// their neighbours (SentencePiece's leading space, byte-fallback pieces) come out right. While the window's text
/// ends in U+FFFD (half a UTF-8 character) nothing is released until a later token completes it.
/// </summary>
internal sealed class IncrementalDetokenizer
{
    // vLLM starts the window on the last few prompt tokens, so the first output token is decoded in context.
    private const int PromptContext = 5;
    private const char Replacement = '\uFFFD';

    private readonly ITokenDecoder _decoder;
    private readonly bool _skipSpecialTokens;
    private int _prefixOffset;
    private int _readOffset;

    public IncrementalDetokenizer(ITokenDecoder decoder, int promptLength, bool skipSpecialTokens)
    {
        _decoder = decoder;
        _skipSpecialTokens = skipSpecialTokens;
        _prefixOffset = Math.Max(0, promptLength - PromptContext);
        _readOffset = promptLength;
    }

    /// <summary>The text that the tokens after the last call add, or "" while it would end in half a character.</summary>
    public string Next(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length <= _readOffset)
        {
            return "";
        }

        var prefix = _decoder.Decode(tokens[_prefixOffset.._readOffset], _skipSpecialTokens);
        var text = _decoder.Decode(tokens[_prefixOffset..], _skipSpecialTokens);
        if (text.Length <= prefix.Length || text[^1] == Replacement)
        {
            return "";
        }

        _prefixOffset = _readOffset;
        _readOffset = tokens.Length;
        return text[prefix.Length..];
    }

    /// <summary>Whatever is still held at the end of the sequence, U+FFFD included when it really ended mid-character.</summary>
    public string Flush(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length <= _readOffset)
        {
            return "";
        }

        var prefix = _decoder.Decode(tokens[_prefixOffset.._readOffset], _skipSpecialTokens);
        var text = _decoder.Decode(tokens[_prefixOffset..], _skipSpecialTokens);
        _prefixOffset = _readOffset = tokens.Length;
        return text.Length > prefix.Length ? text[prefix.Length..] : "";
    }
}
