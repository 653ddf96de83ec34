namespace GrainServe.Generation;

/// <summary>
/// The sampler's filters, in vLLM's order: temperature, top-k, top-p, min-p. A dropped token's logit becomes negative
/// infinity. Reuses its index buffer, so one instance serves one thread.
/// </summary>
internal sealed class LogitsFilter
{
    private readonly DescendingLogits _comparer = new();
    private int[] _order = [];

    /// <summary>Applies temperature, min-p, top-k and top-p (vLLM V1's order) in place to the first <paramref name="vocabulary"/> values.</summary>
    public void Apply(float[] logits, int vocabulary, SamplingParameters sampling)
    {
        if (_order.Length < vocabulary)
        {
            _order = new int[vocabulary];
        }

        var x = logits.AsSpan(0, vocabulary);
        _comparer.Values = logits;
        var inverse = 1f / sampling.Temperature;
        for (var i = 0; i < vocabulary; i++)
        {
            x[i] *= inverse;
        }

        // vLLM V1's order: min-p right after temperature, then top-k and top-p.
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

        var k = sampling.TopK > 0 && sampling.TopK < vocabulary ? sampling.TopK : vocabulary;
        if (k < vocabulary || sampling.TopP < 1f)
        {
            TopKTopP(x, k, sampling.TopP);
        }

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
