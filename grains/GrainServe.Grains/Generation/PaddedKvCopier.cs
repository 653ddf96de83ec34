namespace GrainServe.Generation;

/// <summary>
/// Copies between the sequences' host caches and one step's padded KV tensors, under either naming: the step's
/// past (each row's whole cache, padded to P on the left, or on the right for fused GroupQueryAttention, padding
/// zeroed) and back from present only each row's new vectors (from <see cref="StepPlan.PresentOffset"/>: P, or the
/// row's own past length right-padded). Shared by the KV step backends so both lay the batch out exactly as
/// <see cref="StepPlan"/> says.
/// </summary>
internal sealed class PaddedKvCopier<TKv>(DecoderLayout layout)
    where TKv : unmanaged
{
    private readonly bool _stacked = layout.KvNaming == KvNaming.Stacked;
    private readonly int _heads = layout.KvHeads;
    private readonly int _headSize = layout.HeadSize;

    /// <summary>KV tensors on each side (past inputs, present outputs): one per layer when stacked, two otherwise.</summary>
    public int Tensors => _stacked ? layout.Layers.Count : layout.Layers.Count * 2;

    /// <summary>The past input names, then the present output names, in tensor order.</summary>
    public string[] PastNames => layout.Layers.SelectMany(l => new[] { l.PastKey, l.PastValue }).OfType<string>().ToArray();

    /// <inheritdoc cref="PastNames"/>
    public string[] PresentNames => layout.Layers.SelectMany(l => new[] { l.PresentKey, l.PresentValue }).OfType<string>().ToArray();

    /// <summary>The shape of a KV tensor of <paramref name="rows"/> rows over <paramref name="length"/> positions.</summary>
    public long[] Shape(int rows, int length) => _stacked ? [2, rows, _heads, length, _headSize] : [rows, _heads, length, _headSize];

    /// <summary>Elements of a KV tensor of <paramref name="rows"/> rows over <paramref name="length"/> positions.</summary>
    public int Elements(int rows, int length) => (_stacked ? 2 : 1) * rows * _heads * length * _headSize;

    /// <summary>Fills past tensor <paramref name="tensor"/> (<c>[.., rows, heads, P, head_size]</c>) from the caches, zeroing each row's padding (before its past, or after it right-padded).</summary>
    public void GatherPast(Span<TKv> past, int tensor, IReadOnlyList<StepEntry> entries, StepPlan plan, Dictionary<long, SequenceKvCache<TKv>> caches)
    {
        int rows = plan.Rows, pastLength = plan.PastLength;
        for (var kvIndex = 0; kvIndex < (_stacked ? 2 : 1); kvIndex++)
        {
            var (layer, kv) = LayerOf(tensor, kvIndex);
            for (var b = 0; b < rows; b++)
            {
                caches.TryGetValue(entries[b].SequenceId, out var cache);
                var start = plan.PastOffset(b) * _headSize;
                var end = start + (plan.Past[b] * _headSize);
                for (var h = 0; h < _heads; h++)
                {
                    var destination = past.Slice(Offset(kvIndex, b, h, 0, rows, pastLength), pastLength * _headSize);
                    destination[..start].Clear();
                    cache?.CopyPlane(SequenceKvCache<TKv>.PlaneIndex(layer, kv, h, _heads), destination[start..]);
                    destination[end..].Clear();
                }
            }
        }
    }

    /// <summary>
    /// Copies row <paramref name="row"/>'s new vectors from present tensor <paramref name="tensor"/> into
    /// <paramref name="cache"/>'s reserved tail (the caller reserves before and commits after all tensors).
    /// </summary>
    public void AppendPresent(ReadOnlySpan<TKv> present, int tensor, int row, StepPlan plan, SequenceKvCache<TKv> cache)
    {
        var added = plan.New[row];
        for (var kvIndex = 0; kvIndex < (_stacked ? 2 : 1); kvIndex++)
        {
            var (layer, kv) = LayerOf(tensor, kvIndex);
            for (var h = 0; h < _heads; h++)
            {
                cache.WriteTail(SequenceKvCache<TKv>.PlaneIndex(layer, kv, h, _heads), present.Slice(Offset(kvIndex, row, h, plan.PresentOffset(row), plan.Rows, plan.TotalLength), added * _headSize));
            }
        }
    }

    /// <summary>The layer and key (0) or value (1) at index <paramref name="kvIndex"/> of a tensor's stacking axis.</summary>
    private (int Layer, int Kv) LayerOf(int tensor, int kvIndex) => _stacked ? (tensor, kvIndex) : (tensor / 2, tensor % 2);

    /// <summary>Element offset of token <paramref name="token"/> of head <paramref name="head"/> of row <paramref name="row"/> in a KV tensor of <paramref name="length"/> positions.</summary>
    private int Offset(int kvIndex, int row, int head, int token, int rows, int length) =>
        (((((kvIndex * rows) + row) * _heads) + head) * length + token) * _headSize;
}
