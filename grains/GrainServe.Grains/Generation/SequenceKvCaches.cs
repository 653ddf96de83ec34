namespace GrainServe.Generation;

/// <summary>
/// Every sequence's host KV cache, keyed by sequence id, and what a successful run does to them: the bookkeeping both
/// step backends share (they differ only in how the step's tensors reach the session).
/// </summary>
internal sealed class SequenceKvCaches<TKv>(DecoderLayout layout) : IDisposable
    where TKv : unmanaged
{
    /// <summary>Reads present tensor <paramref name="tensor"/> of the run just made, in host memory.</summary>
    public delegate ReadOnlySpan<TKv> PresentTensor(int tensor);

    /// <summary>The caches by sequence id, for gathering the padded past.</summary>
    public Dictionary<long, SequenceKvCache<TKv>> ById { get; } = [];

    /// <summary>
    /// Tokens a cache grows by: the engine's <c>block_size</c>, so that each sequence holds the blocks the scheduler
    /// reserved for it and no more. Applies to caches created after it is set.
    /// </summary>
    public int BlockSize { get; set; } = SequenceKvCache<TKv>.DefaultBlockSize;

    /// <summary>Host bytes all the sequences' caches hold.</summary>
    public long BytesHeld => ById.Values.Sum(cache => cache.BytesHeld);

    /// <summary>Tokens held for a sequence; 0 for one not known.</summary>
    public int Held(long sequenceId) => ById.TryGetValue(sequenceId, out var cache) ? cache.Count : 0;

    /// <summary>Frees a sequence's cache; unknown ids are ignored.</summary>
    public void Release(long sequenceId)
    {
        if (ById.Remove(sequenceId, out var cache))
        {
            cache.Dispose();
        }
    }

    /// <summary>
    /// Starts <paramref name="targetId"/>'s cache as a copy of <paramref name="sourceId"/>'s first <paramref name="tokens"/>
    /// tokens, block by block (a fork); false, with nothing changed, when the source holds fewer or the target has a cache.
    /// </summary>
    public bool TryFork(long sourceId, long targetId, int tokens)
    {
        if (tokens <= 0 || !ById.TryGetValue(sourceId, out var source) || source.Count < tokens || ById.ContainsKey(targetId))
        {
            return false;
        }

        var cache = new SequenceKvCache<TKv>(layout.Layers.Count, layout.KvHeads, layout.HeadSize, BlockSize);
        source.CopyPrefixTo(cache, tokens);
        ById.Add(targetId, cache);
        return true;
    }

    /// <summary>
    /// After a successful run (only then, so a failed step leaves every sequence as it was): appends each row's real new
    /// vectors from the present tensors to its sequence's cache, creating the cache of a sequence's first step.
    /// </summary>
    public void Append(IReadOnlyList<StepEntry> entries, StepPlan plan, PaddedKvCopier<TKv> copier, PresentTensor present)
    {
        for (var b = 0; b < plan.Rows; b++)
        {
            var entry = entries[b];
            if (!ById.TryGetValue(entry.SequenceId, out var cache))
            {
                cache = new SequenceKvCache<TKv>(layout.Layers.Count, layout.KvHeads, layout.HeadSize, BlockSize);
                ById.Add(entry.SequenceId, cache);
            }

            var added = plan.New[b];
            cache.Reserve(added);
            for (var tensor = 0; tensor < copier.Tensors; tensor++)
            {
                copier.AppendPresent(present(tensor), tensor, b, plan, cache);
            }

            cache.Commit(added);
        }
    }

    /// <summary>Writes, for each entry that needs them, the logits after its last real token (row after row) as floats.</summary>
    public static void WriteLastLogits<TLogits>(IReadOnlyList<StepEntry> entries, StepPlan plan, ReadOnlySpan<TLogits> all, int vocabulary, Span<float> logits)
        where TLogits : unmanaged
    {
        var row = 0;
        for (var b = 0; b < plan.Rows; b++)
        {
            if (entries[b].NeedsLogits)
            {
                var last = all.Slice(((b * plan.NewLength) + plan.New[b] - 1) * vocabulary, vocabulary);
                HostKvStepBackend<TKv, TLogits>.ToFloat(last, logits.Slice(row++ * vocabulary, vocabulary));
            }
        }
    }

    public void Dispose()
    {
        foreach (var cache in ById.Values)
        {
            cache.Dispose();
        }

        ById.Clear();
    }
}
