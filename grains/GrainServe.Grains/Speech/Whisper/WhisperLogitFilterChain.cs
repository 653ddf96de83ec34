namespace GrainServe.Speech.Whisper;

/// <summary>Applies a list of <see cref="IWhisperLogitFilter"/>s in order, as <c>DecodingTask._main_loop</c> does each step.</summary>
public sealed class WhisperLogitFilterChain : IWhisperLogitFilter
{
    private readonly IWhisperLogitFilter[] _filters;

    /// <summary>The chain of <paramref name="filters"/>, first applied first.</summary>
    public WhisperLogitFilterChain(IEnumerable<IWhisperLogitFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        _filters = [.. filters];
    }

    /// <summary>The filters in the order they are applied.</summary>
    public IReadOnlyList<IWhisperLogitFilter> Filters => _filters;

    /// <summary>
    /// The filters <c>DecodingTask</c> builds, in its order: <see cref="SuppressBlank"/> when
    /// <paramref name="suppressBlank"/>; <see cref="SuppressTokensFilter"/> when <paramref name="suppressTokens"/> is
    /// not empty (<see cref="WhisperTokenizer.SuppressTokens(string)"/>); <see cref="TimestampRules"/> unless
    /// <paramref name="withoutTimestamps"/>, with the first timestamp at most <paramref name="maxInitialTimestampSeconds"/>
    /// in (Whisper's default 1.0; null or 0 for no limit).
    /// </summary>
    public static WhisperLogitFilterChain ForDecoding(
        WhisperTokenizer tokenizer,
        bool suppressBlank,
        IReadOnlyList<int> suppressTokens,
        bool withoutTimestamps,
        double? maxInitialTimestampSeconds)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(suppressTokens);
        var filters = new List<IWhisperLogitFilter>(3);
        if (suppressBlank)
        {
            filters.Add(new SuppressBlank(tokenizer));
        }

        if (suppressTokens.Count > 0)
        {
            filters.Add(new SuppressTokensFilter(suppressTokens));
        }

        if (!withoutTimestamps)
        {
            filters.Add(new TimestampRules(tokenizer.SpecialTokens, TimestampRules.IndexOf(maxInitialTimestampSeconds)));
        }

        return new WhisperLogitFilterChain(filters);
    }

    /// <inheritdoc />
    public void Apply(Span<float> logits, ReadOnlySpan<int> sampled)
    {
        foreach (var filter in _filters)
        {
            filter.Apply(logits, sampled);
        }
    }
}
