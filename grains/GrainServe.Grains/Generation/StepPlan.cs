namespace GrainServe.Generation;

/// <summary>
/// How one step lays its entries out in the padded batch the session sees. With P the longest past and N the longest
/// new chunk, row <c>b</c> is <c>[left padding | its past | its new tokens | right padding]</c> over P + N key
/// positions: its past ends at P (it starts at <c>P - Past[b]</c>) and its new tokens start at P. The causal mask of
/// the graph works in these padded coordinates (query j sees keys up to P + j) and the attention mask zeroes the
/// padding, so every real query sees exactly its own tokens, in order.
/// </summary>
internal sealed class StepPlan
{
    public StepPlan(IReadOnlyList<StepEntry> entries)
    {
        Rows = entries.Count;
        Past = new int[Rows];
        New = new int[Rows];
        for (var b = 0; b < Rows; b++)
        {
            Past[b] = entries[b].Start;
            New[b] = entries[b].Tokens.Length;
            PastLength = Math.Max(PastLength, Past[b]);
            NewLength = Math.Max(NewLength, New[b]);
        }
    }

    /// <summary>Rows in the batch: one per entry, in entry order.</summary>
    public int Rows { get; }

    /// <summary>P: the longest past among the rows, the past tensors' sequence length.</summary>
    public int PastLength { get; }

    /// <summary>N: the longest new chunk among the rows, the ids' sequence length.</summary>
    public int NewLength { get; }

    /// <summary>P + N: the attention mask's and the present tensors' sequence length.</summary>
    public int TotalLength => PastLength + NewLength;

    /// <summary>Real past tokens per row (the sequence's cached count).</summary>
    public int[] Past { get; }

    /// <summary>Real new tokens per row.</summary>
    public int[] New { get; }

    /// <summary>Where row <paramref name="row"/>'s real past starts in the padded past: P minus its past.</summary>
    public int PastOffset(int row) => PastLength - Past[row];
}
