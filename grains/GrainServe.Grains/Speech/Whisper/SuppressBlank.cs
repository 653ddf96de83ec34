namespace GrainServe.Speech.Whisper;

/// <summary>
/// <c>SuppressBlank</c>: at the first sampled position, forbids the encoding of a space and
/// <c>&lt;|endoftext|&gt;</c>, so a transcript never starts blank or empty. Whisper's <c>suppress_blank</c>, on by default.
/// </summary>
public sealed class SuppressBlank : IWhisperLogitFilter
{
    private readonly int[] _tokens;

    /// <summary>The filter for <paramref name="tokenizer"/>'s vocabulary.</summary>
    public SuppressBlank(WhisperTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokens = [.. tokenizer.Encode(" "), tokenizer.SpecialTokens.EndOfText];
    }

    /// <summary>The tokens forbidden at the first position: <c>encode(" ")</c> and <c>&lt;|endoftext|&gt;</c>.</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    /// <inheritdoc />
    public void Apply(Span<float> logits, ReadOnlySpan<int> sampled)
    {
        if (sampled.Length == 0)
        {
            foreach (var token in _tokens)
            {
                logits[token] = float.NegativeInfinity;
            }
        }
    }
}
