namespace GrainServe.Generation;

/// <summary>
/// Picks one token from one logits row, as vLLM's sampler does: repetition penalty over prompt and output, presence
/// and frequency penalties over the output, then greedy (temperature 0) or temperature, top-k, top-p, min-p and a
/// draw from the sequence's own random source. Pure; scratch buffers are reused across calls, so one instance
/// serves one thread (the engine's loop).
/// </summary>
internal sealed class Sampler
{
    private readonly LogitsFilter _filter = new();
    private float[] _scratch = [];
    private int[] _counts = [];
    private int[] _marks = [];
    private int _mark;

    /// <summary>The chosen token for <paramref name="logits"/> after <paramref name="prompt"/> and <paramref name="output"/>.</summary>
    public int Sample(ReadOnlySpan<float> logits, ReadOnlySpan<int> prompt, ReadOnlySpan<int> output, SamplingParameters sampling, SequenceRandom random)
    {
        EnsureCapacity(logits.Length);
        var x = _scratch.AsSpan(0, logits.Length);
        logits.CopyTo(x);
        ApplyPenalties(x, prompt, output, sampling);
        return sampling.IsRandom ? Draw(x, sampling, random) : ArgMax(x);
    }

    /// <summary>
    /// Applies the penalties in place: repetition (HF/vLLM: a positive logit is divided by it, a negative one
    /// multiplied, once per distinct token of prompt or output), then frequency and presence (OpenAI: subtracted per
    /// occurrence and once, over generated tokens only).
    /// </summary>
    public void ApplyPenalties(Span<float> logits, ReadOnlySpan<int> prompt, ReadOnlySpan<int> output, SamplingParameters sampling)
    {
        EnsureCapacity(logits.Length);
        var vocabulary = logits.Length;
        var repetition = sampling.RepetitionPenalty;
        if (repetition != 1f)
        {
            var mark = NextMark();
            Penalize(logits, prompt, repetition, mark);
            Penalize(logits, output, repetition, mark);
        }

        var frequency = sampling.FrequencyPenalty;
        var presence = sampling.PresencePenalty;
        if (frequency == 0f && presence == 0f)
        {
            return;
        }

        foreach (var token in output)
        {
            if ((uint)token < (uint)vocabulary)
            {
                _counts[token]++;
            }
        }

        foreach (var token in output)
        {
            if ((uint)token < (uint)vocabulary && _counts[token] > 0)
            {
                logits[token] -= (frequency * _counts[token]) + presence;
                _counts[token] = 0;
            }
        }
    }

    /// <summary>
    /// The chosen token's log-probability and the <paramref name="top"/> most likely tokens (most likely first, lower
    /// id first on a tie), all from the log-softmax of the raw logits, before penalties and temperature (vLLM V1's
    /// default).
    /// </summary>
    public GeneratedToken Logprobs(ReadOnlySpan<float> logits, int chosen, int top, ITokenDecoder decoder)
    {
        var logSum = LogSoftmax.LogSumExp(logits);
        var best = top > 0 ? TopIndices(logits, Math.Min(top, logits.Length)) : [];
        var list = new TokenLogprob[best.Length];
        for (var i = 0; i < best.Length; i++)
        {
            list[i] = Entry(best[i], logits[best[i]], logSum, decoder);
        }

        return new GeneratedToken(Entry(chosen, logits[chosen], logSum, decoder), list);
    }

    private static TokenLogprob Entry(int token, float logit, double logSum, ITokenDecoder decoder) =>
        new(token, decoder.Decode([token], skipSpecialTokens: false), (float)(logit - logSum));

    /// <summary>The first index of the largest value: greedy picks the lowest id on a tie.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>
    /// The logits a draw would use: temperature applied and every token that top-k, top-p or min-p drops set to
    /// negative infinity (penalties not applied). For tests of the filters.
    /// </summary>
    public float[] Filtered(ReadOnlySpan<float> logits, SamplingParameters sampling)
    {
        EnsureCapacity(logits.Length);
        var x = _scratch.AsSpan(0, logits.Length);
        logits.CopyTo(x);
        _filter.Apply(_scratch, logits.Length, sampling);
        return x.ToArray();
    }

    private int Draw(Span<float> x, SamplingParameters sampling, SequenceRandom random)
    {
        _filter.Apply(_scratch, x.Length, sampling);
        var vocabulary = x.Length;
        var max = float.NegativeInfinity;
        foreach (var value in x)
        {
            max = Math.Max(max, value);
        }

        var sum = 0.0;
        foreach (var value in x)
        {
            sum += Math.Exp(value - max);
        }

        var u = random.NextDouble() * sum;
        var accumulated = 0.0;
        var last = -1;
        for (var i = 0; i < vocabulary; i++)
        {
            if (float.IsNegativeInfinity(x[i]))
            {
                continue;
            }

            accumulated += Math.Exp(x[i] - max);
            last = i;
            if (u < accumulated)
            {
                return i;
            }
        }

        // Rounding left u at or past the total: the last kept token.
        return last >= 0 ? last : ArgMax(x);
    }

    private static int[] TopIndices(ReadOnlySpan<float> logits, int top)
    {
        var best = new int[top];
        var count = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            // Scanning ids upwards, a strictly larger value is needed to pass: equal values keep the lower id first.
            if (count == top && !(logits[i] > logits[best[count - 1]]))
            {
                continue;
            }

            var position = count < top ? count++ : top - 1;
            while (position > 0 && logits[i] > logits[best[position - 1]])
            {
                best[position] = best[position - 1];
                position--;
            }

            best[position] = i;
        }

        return best;
    }

    private void Penalize(Span<float> logits, ReadOnlySpan<int> tokens, float penalty, int mark)
    {
        foreach (var token in tokens)
        {
            if ((uint)token >= (uint)logits.Length || _marks[token] == mark)
            {
                continue;
            }

            _marks[token] = mark;
            var value = logits[token];
            logits[token] = value > 0 ? value / penalty : value * penalty;
        }
    }

    private int NextMark()
    {
        if (_mark == int.MaxValue)
        {
            Array.Clear(_marks);
            _mark = 0;
        }

        return ++_mark;
    }

    private void EnsureCapacity(int vocabulary)
    {
        if (_scratch.Length >= vocabulary)
        {
            return;
        }

        _scratch = new float[vocabulary];
        _counts = new int[vocabulary];
        _marks = new int[vocabulary];
        _mark = 0;
    }
}
