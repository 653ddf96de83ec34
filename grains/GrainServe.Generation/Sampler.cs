namespace GrainServe.Generation;

/// <summary>
/// Picks one token from one logits row, as vLLM's sampler does: repetition penalty over prompt and output, presence
/// and frequency penalties over the output, then greedy (temperature 0) or temperature, top-k, top-p, min-p and a
/// draw from the sequence's own random source. Pure; scratch buffers are reused across calls, so one instance
/// serves one thread (the engine's loop).
/// </summary>
internal sealed class Sampler
{
    private readonly DescendingLogits _comparer = new();
    private float[] _scratch = [];
    private int[] _order = [];
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
        var max = float.NegativeInfinity;
        foreach (var value in logits)
        {
            max = Math.Max(max, value);
        }

        var sum = 0.0;
        foreach (var value in logits)
        {
            sum += Math.Exp(value - max);
        }

        var logSum = max + Math.Log(sum);
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
        Filter(x, sampling);
        return x.ToArray();
    }

    // x is always the scratch buffer, which the top-k/top-p comparer reads.
    private void Filter(Span<float> x, SamplingParameters sampling)
    {
        var vocabulary = x.Length;
        var inverse = 1f / sampling.Temperature;
        for (var i = 0; i < vocabulary; i++)
        {
            x[i] *= inverse;
        }

        var k = sampling.TopK > 0 && sampling.TopK < vocabulary ? sampling.TopK : vocabulary;
        if (k < vocabulary || sampling.TopP < 1f)
        {
            TopKTopP(x, k, sampling.TopP);
        }

        if (sampling.MinP > 0f)
        {
            var max = float.NegativeInfinity;
            foreach (var value in x)
            {
                max = Math.Max(max, value);
            }

            // p_i < min_p * p_max  <=>  x_i < x_max + ln(min_p): no softmax needed.
            var cutoff = max + MathF.Log(sampling.MinP);
            for (var i = 0; i < vocabulary; i++)
            {
                if (x[i] < cutoff)
                {
                    x[i] = float.NegativeInfinity;
                }
            }
        }
    }

    private int Draw(Span<float> x, SamplingParameters sampling, SequenceRandom random)
    {
        Filter(x, sampling);
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

    // Sorting the whole vocabulary (150k for some models) per token is the slow part of CPU sampling, so top-k
    // selects its k without sorting, and top-p sorts only the tokens that can be in its set: those with probability
    // at least (1 - top_p) / n, since all the others together hold less than 1 - top_p. The comparer is a total order
    // (value, then id), so the kept set is the same as a full sort's.
    private void TopKTopP(Span<float> x, int k, float topP)
    {
        var vocabulary = x.Length;
        var order = _order.AsSpan(0, vocabulary);
        for (var i = 0; i < vocabulary; i++)
        {
            order[i] = i;
        }

        _comparer.Values = _scratch;
        var count = vocabulary;
        if (k < vocabulary)
        {
            SelectBest(order, k);
            foreach (var token in order[k..])
            {
                x[token] = float.NegativeInfinity;
            }

            count = k;
        }

        if (topP >= 1f)
        {
            return;
        }

        var kept = order[..count];
        var max = float.NegativeInfinity;
        foreach (var token in kept)
        {
            max = Math.Max(max, x[token]);
        }

        var sum = 0.0;
        foreach (var token in kept)
        {
            sum += Math.Exp(x[token] - max);
        }

        var cutoff = max + Math.Log((1.0 - topP) / count * sum);
        var candidates = 0;
        for (var j = 0; j < count; j++)
        {
            if (x[kept[j]] >= cutoff)
            {
                (kept[candidates], kept[j]) = (kept[j], kept[candidates]);
                candidates++;
            }
        }

        kept[..candidates].Sort(_comparer);

        // The smallest most-likely set whose mass reaches top_p; always at least the most likely token.
        var mass = 0.0;
        var keep = candidates;
        for (var j = 0; j < candidates; j++)
        {
            mass += Math.Exp(x[kept[j]] - max) / sum;
            if (mass >= topP)
            {
                keep = j + 1;
                break;
            }
        }

        foreach (var token in kept[keep..])
        {
            x[token] = float.NegativeInfinity;
        }
    }

    // Quickselect: moves the k best tokens (by the comparer) to the front, in no particular order.
    private void SelectBest(Span<int> items, int k)
    {
        var low = 0;
        var high = items.Length - 1;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (_comparer.Compare(items[middle], items[low]) < 0)
            {
                (items[middle], items[low]) = (items[low], items[middle]);
            }

            if (_comparer.Compare(items[high], items[low]) < 0)
            {
                (items[high], items[low]) = (items[low], items[high]);
            }

            if (_comparer.Compare(items[middle], items[high]) < 0)
            {
                (items[middle], items[high]) = (items[high], items[middle]);
            }

            // The median of the three is now at high: the pivot.
            var pivot = items[high];
            var store = low;
            for (var i = low; i < high; i++)
            {
                if (_comparer.Compare(items[i], pivot) < 0)
                {
                    (items[i], items[store]) = (items[store], items[i]);
                    store++;
                }
            }

            (items[store], items[high]) = (items[high], items[store]);
            if (store == k - 1 || store == k)
            {
                return;
            }

            if (store < k)
            {
                low = store + 1;
            }
            else
            {
                high = store - 1;
            }
        }
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
        _order = new int[vocabulary];
        _counts = new int[vocabulary];
        _marks = new int[vocabulary];
        _mark = 0;
    }

    /// <summary>Orders token ids by value, largest first, lower id first on a tie, so sorting is deterministic.</summary>
    private sealed class DescendingLogits : IComparer<int>
    {
        public float[] Values { get; set; } = [];

        public int Compare(int a, int b)
        {
            var byValue = Values[b].CompareTo(Values[a]);
            return byValue != 0 ? byValue : a.CompareTo(b);
        }
    }
}
