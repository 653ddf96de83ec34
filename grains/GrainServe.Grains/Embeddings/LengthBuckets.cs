namespace GrainServe.Embeddings;

/// <summary>
/// Splits a batch of texts into runs of similar length. A BERT encoder pads every text of a run to the run's
/// longest, and padded tokens cost as much compute as real ones; sorting by length and cutting a run where its
/// padding would pass <c>maxPaddingFraction</c> of its tokens keeps that waste bounded, at the price of more,
/// smaller runs.
/// </summary>
public static class LengthBuckets
{
    /// <summary>
    /// The runs for texts of <paramref name="lengths"/> tokens, each a list of row indexes in ascending length.
    /// A fraction of 1 gives one run of every row (pad to the batch's longest); 0 gives one run per distinct length.
    /// </summary>
    public static IReadOnlyList<int[]> Plan(IReadOnlyList<int> lengths, double maxPaddingFraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPaddingFraction);
        var order = Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ToArray();
        var runs = new List<int[]>();
        var start = 0;
        long realTokens = 0;
        for (var k = 0; k < order.Length; k++)
        {
            // In ascending order the row being added is the run's longest: every row pads to its length.
            long longest = lengths[order[k]];
            var rows = k - start + 1;
            var padded = rows * longest;
            if (k > start && padded - (realTokens + longest) > maxPaddingFraction * padded)
            {
                runs.Add(order[start..k]);
                start = k;
                realTokens = 0;
            }

            realTokens += longest;
        }

        if (order.Length > 0)
        {
            runs.Add(order[start..]);
        }

        return runs;
    }
}
