namespace GrainServe.Generation;

/// <summary>Token ids as their text, for engine tests that compare ids only.</summary>
internal sealed class IdDecoder : ITokenDecoder
{
    public string Decode(ReadOnlySpan<int> tokens, bool skipSpecialTokens) => string.Join(' ', tokens.ToArray());

    public bool IsSpecial(int token) => false;
}
