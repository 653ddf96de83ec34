namespace GrainServe.Speech.Whisper;

/// <summary>
/// <c>SuppressTokens</c>: forbids a fixed set of tokens at every step, usually
/// <see cref="WhisperTokenizer.SuppressTokens(string)"/> of the request's <c>suppress_tokens</c> (<c>"-1"</c> by default).
/// </summary>
public sealed class SuppressTokensFilter : IWhisperLogitFilter
{
    private readonly int[] _tokens;

    /// <summary>The filter that sets <paramref name="tokens"/> to −∞; ids past the logits are ignored, as they can never be sampled.</summary>
    public SuppressTokensFilter(IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = [.. tokens.Where(t => t >= 0).Distinct().Order()];
    }

    /// <summary>The suppressed tokens, sorted.</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    /// <inheritdoc />
    public void Apply(Span<float> logits, ReadOnlySpan<int> sampled)
    {
        foreach (var token in _tokens)
        {
            if (token < logits.Length)
            {
                logits[token] = float.NegativeInfinity;
            }
        }
    }
}
