namespace GrainServe.Generation;

/// <summary>
/// How one step lays its entries out in the padded batch the session sees, with P the longest past and N the longest
/// new chunk, over P + N key positions. Left-padded (the default): row <c>b</c> is
/// <c>[left padding | its past | its new tokens | right padding]</c>, its past ending at P (it starts at
/// <c>P - Past[b]</c>) and its new tokens starting at P; the causal mask of the graph works in these padded coordinates
/// (query j sees keys up to P + j) and the attention mask zeroes the padding, so every real query sees exactly its own
/// tokens, in order. Right-padded (fused <c>GroupQueryAttention</c>, which takes each row's length from the mask's sum):
/// row <c>b</c>'s past is the first <c>Past[b]</c> positions of the past tensors, zeros after, its mask is ones on its
/// <c>Past[b] + New[b]</c> real tokens then zeros, and the operator writes its new vectors into present right after its
/// past, at <c>Past[b]</c>.
/// </summary>
internal sealed class StepPlan
{
    public StepPlan(IReadOnlyList<StepEntry> entries, bool rightPadded = false)
    {
        RightPadded = rightPadded;
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

    /// <summary>Whether each row's past starts at position 0 (padding after it) rather than ending at P.</summary>
    public bool RightPadded { get; }

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

    /// <summary>Where row <paramref name="row"/>'s real past starts in the padded past: P minus its past, or 0 right-padded.</summary>
    public int PastOffset(int row) => RightPadded ? 0 : PastLength - Past[row];

    /// <summary>Where row <paramref name="row"/>'s new vectors start in present: P, or right after its own past right-padded.</summary>
    public int PresentOffset(int row) => RightPadded ? Past[row] : PastLength;

    /// <summary>
    /// The end of row <paramref name="row"/>'s ones in the attention mask, which are
    /// <c>[<see cref="PastOffset"/>, MaskEnd)</c>: its past and its new tokens, nothing of the padding.
    /// </summary>
    public int MaskEnd(int row) => PresentOffset(row) + New[row];
}
