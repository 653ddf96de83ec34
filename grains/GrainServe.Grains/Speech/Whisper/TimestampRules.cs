namespace GrainServe.Speech.Whisper;

/// <summary>
/// <c>ApplyTimestampRules</c> of openai/whisper's <c>decoding.py</c>, for a decode with timestamps (no
/// <c>&lt;|notimestamps|&gt;</c> in the prompt), in its order:
/// <list type="number">
/// <item><c>&lt;|notimestamps|&gt;</c> is never sampled.</item>
/// <item>Timestamps come in pairs (a segment's end, then the next one's start), except directly before
/// <c>&lt;|endoftext|&gt;</c>: after a pair, or a lone first timestamp, text must follow; after text then one timestamp,
/// another timestamp or <c>&lt;|endoftext|&gt;</c> must.</item>
/// <item>Timestamps never decrease, and a segment cannot be empty: the next timestamp is at least the last one, and
/// later than it unless the last token opened a pair.</item>
/// <item>The first sampled token is a timestamp, at most <see cref="MaxInitialTimestampIndex"/> steps in.</item>
/// <item>When the timestamps together are likelier than the likeliest text token, a timestamp is sampled.</item>
/// </list>
/// </summary>
public sealed class TimestampRules : IWhisperLogitFilter
{
    private readonly WhisperSpecialTokens _tokens;

    /// <param name="tokens">The special-token layout of the model.</param>
    /// <param name="maxInitialTimestampIndex">
    /// How many 20 ms steps the first timestamp may be at most (<c>max_initial_timestamp_index</c>): 50 for Whisper's
    /// default of 1.0 s (<see cref="IndexOf"/>); null for no limit.
    /// </param>
    public TimestampRules(WhisperSpecialTokens tokens, int? maxInitialTimestampIndex)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (maxInitialTimestampIndex is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxInitialTimestampIndex), maxInitialTimestampIndex, "the initial timestamp limit is a number of 20 ms steps, 0 or more");
        }

        _tokens = tokens;
        MaxInitialTimestampIndex = maxInitialTimestampIndex;
    }

    /// <summary>The latest first timestamp, in 20 ms steps from <c>&lt;|0.00|&gt;</c>; null for no limit.</summary>
    public int? MaxInitialTimestampIndex { get; }

    /// <summary>
    /// The <c>max_initial_timestamp_index</c> of a <c>max_initial_timestamp</c> in seconds, as <c>DecodingTask</c>
    /// computes it: <c>round(seconds / 0.02)</c> (to even), and null for null or 0, which Whisper reads as no limit.
    /// </summary>
    public static int? IndexOf(double? maxInitialTimestampSeconds) =>
        maxInitialTimestampSeconds is { } seconds && seconds != 0
            ? (int)Math.Round(seconds / WhisperSpecialTokens.SecondsPerTimestamp, MidpointRounding.ToEven)
            : null;

    /// <inheritdoc />
    public void Apply(Span<float> logits, ReadOnlySpan<int> sampled)
    {
        var begin = _tokens.TimestampBegin;
        logits[_tokens.NoTimestamps] = float.NegativeInfinity;

        var lastWasTimestamp = sampled.Length >= 1 && sampled[^1] >= begin;
        var penultimateWasTimestamp = sampled.Length < 2 || sampled[^2] >= begin;
        if (lastWasTimestamp)
        {
            if (penultimateWasTimestamp)
            {
                // A pair just closed (or the first token was a timestamp): text must come next.
                logits[begin..].Fill(float.NegativeInfinity);
            }
            else
            {
                // Below <|endoftext|> only: EOT and the timestamps stay allowed.
                logits[.._tokens.EndOfText].Fill(float.NegativeInfinity);
            }
        }

        var lastTimestamp = LastTimestamp(sampled, begin);
        if (lastTimestamp >= 0)
        {
            // After a segment's closing timestamp the next may repeat it (the next segment starts where this one
            // ended); otherwise it must be later, so no segment is empty and decoding cannot loop on one timestamp.
            var end = lastWasTimestamp && !penultimateWasTimestamp ? lastTimestamp : lastTimestamp + 1;
            logits[begin..Math.Min(end, logits.Length)].Fill(float.NegativeInfinity);
        }

        if (sampled.Length == 0)
        {
            logits[..begin].Fill(float.NegativeInfinity);
            if (MaxInitialTimestampIndex is { } index)
            {
                var lastAllowed = begin + index;
                logits[Math.Min(lastAllowed + 1, logits.Length)..].Fill(float.NegativeInfinity);
            }
        }

        if (TimestampsLikelier(logits, begin))
        {
            logits[..begin].Fill(float.NegativeInfinity);
        }
    }

    private static int LastTimestamp(ReadOnlySpan<int> sampled, int begin)
    {
        for (var i = sampled.Length - 1; i >= 0; i--)
        {
            if (sampled[i] >= begin)
            {
                return sampled[i];
            }
        }

        return -1;
    }

    // Whisper compares logsumexp(log_softmax(logits)[begin:]) with max(log_softmax(logits)[:begin]); log_softmax
    // subtracts the same constant from both, so the raw logits compare alike. Done in double: Whisper's float32 can
    // only differ on a near-tie.
    private static bool TimestampsLikelier(ReadOnlySpan<float> logits, int begin)
    {
        var maxText = double.NegativeInfinity;
        foreach (var logit in logits[..begin])
        {
            maxText = Math.Max(maxText, logit);
        }

        var timestamps = logits[begin..];
        var maxTimestamp = double.NegativeInfinity;
        foreach (var logit in timestamps)
        {
            maxTimestamp = Math.Max(maxTimestamp, logit);
        }

        if (double.IsNegativeInfinity(maxTimestamp))
        {
            return false;
        }

        var sum = 0.0;
        foreach (var logit in timestamps)
        {
            sum += Math.Exp(logit - maxTimestamp);
        }

        return maxTimestamp + Math.Log(sum) > maxText;
    }
}
