namespace GrainServe.Generation.TestSupport;

/// <summary>
/// A step model that really keeps a cache per sequence: the tokens fed so far. It throws when an entry's Start
/// differs from its cache, and its logits are a function of the WHOLE cached history (a hash spread over a small
/// vocabulary, one integer apart), so any lost token, wrong Start or stale cache after a preemption changes what is
/// generated.
/// </summary>
public sealed class FakeStepModel : IStepModel
{
    public const int Vocabulary = 50;

    private readonly Dictionary<long, List<int>> _caches = [];
    private readonly Lock _lock = new();

    /// <summary>The end-of-sequence token the history hash sometimes picks (see <see cref="EosEvery"/>).</summary>
    public int EosToken { get; init; }

    /// <summary>When above 0, about one history in this many picks <see cref="EosToken"/>; 0 never forces it.</summary>
    public int EosEvery { get; init; }

    /// <summary>Forces the argmax for a history (a scripted output); null leaves the hash's choice.</summary>
    public Func<IReadOnlyList<int>, int?>? Override { get; init; }

    public int MaxContextLength { get; init; } = 4096;

    public long KvBytesPerToken { get; init; } = 1;

    public int VocabularySize => Vocabulary;

    /// <summary>Throws on this step (0-based), before touching any cache.</summary>
    public int? ThrowOnStep { get; set; }

    /// <summary>Runs at the start of each step, on the engine's loop, with the step's index.</summary>
    public Action<int>? BeforeStep { get; set; }

    /// <summary>With <see cref="BlockSize"/>: the most KV blocks the caches held after any step.</summary>
    public int MaxBlocksHeld { get; private set; }

    public int BlockSize { get; init; } = 16;

    public List<StepRecord> Steps { get; } = [];

    /// <summary>"run N" and "release ID", in order.</summary>
    public List<string> Events { get; } = [];

    public List<string> Violations { get; } = [];

    public int CachedSequences
    {
        get
        {
            lock (_lock)
            {
                return _caches.Count;
            }
        }
    }

    public StepLogits Run(IReadOnlyList<StepEntry> entries)
    {
        int step;
        lock (_lock)
        {
            step = Steps.Count;
            Steps.Add(new StepRecord(step, [.. entries.Select(e => new EntryRecord(e.SequenceId, e.Tokens.Length, e.Start, e.NeedsLogits, e.Conditioning, e.Outputs))]));
            Events.Add($"run {step}");
        }

        BeforeStep?.Invoke(step);
        if (ThrowOnStep == step)
        {
            throw new InvalidOperationException("the fake model failed");
        }

        lock (_lock)
        {
            if (entries.Select(e => e.SequenceId).Distinct().Count() != entries.Count)
            {
                Fail($"step {step}: a sequence appears twice");
            }

            foreach (var entry in entries)
            {
                var cached = _caches.GetValueOrDefault(entry.SequenceId)?.Count ?? 0;
                if (entry.Start != cached)
                {
                    Fail($"step {step}: sequence {entry.SequenceId} starts at {entry.Start} but its cache holds {cached}");
                }

                if (entry.Tokens.Length == 0)
                {
                    Fail($"step {step}: sequence {entry.SequenceId} has no tokens");
                }
            }

            var rows = entries.Count(e => e.NeedsLogits);
            var data = new float[rows * Vocabulary];
            var row = 0;
            foreach (var entry in entries)
            {
                if (!_caches.TryGetValue(entry.SequenceId, out var cache))
                {
                    _caches[entry.SequenceId] = cache = [];
                }

                cache.AddRange(entry.Tokens.Span);
                if (entry.NeedsLogits)
                {
                    Logits(cache, data.AsSpan(row++ * Vocabulary, Vocabulary));
                }
            }

            MaxBlocksHeld = Math.Max(MaxBlocksHeld, _caches.Values.Sum(c => (c.Count + BlockSize - 1) / BlockSize));
            return new StepLogits(data, rows, Vocabulary);
        }
    }

    public void Release(long sequenceId)
    {
        lock (_lock)
        {
            _caches.Remove(sequenceId);
            Events.Add($"release {sequenceId}");
        }
    }

    /// <summary>Whether <see cref="TryFork"/> copies caches (the default) or, as a model without fork support, refuses.</summary>
    public bool SupportsFork { get; init; } = true;

    /// <summary>"fork SOURCE TARGET TOKENS" for every fork done, in order.</summary>
    public List<string> Forks { get; } = [];

    public bool TryFork(long sourceId, long targetId, int tokens)
    {
        lock (_lock)
        {
            if (!SupportsFork || !_caches.TryGetValue(sourceId, out var source) || source.Count < tokens || _caches.ContainsKey(targetId))
            {
                return false;
            }

            _caches[targetId] = source[..tokens];
            Forks.Add($"fork {sourceId} {targetId} {tokens}");
            return true;
        }
    }

    /// <summary>The logits after <paramref name="history"/>: the chosen token 0, the others -1 to -49, all distinct.</summary>
    public void Logits(IReadOnlyList<int> history, Span<float> row)
    {
        var hash = 14695981039346656037UL;
        foreach (var token in history)
        {
            hash = (hash ^ (ulong)(token + 1)) * 1099511628211UL;
        }

        hash ^= hash >> 29;
        var target = (int)(hash % Vocabulary);
        if (EosEvery > 0 && (hash / Vocabulary) % (ulong)EosEvery == 0)
        {
            target = EosToken;
        }

        target = Override?.Invoke(history) ?? target;
        for (var j = 0; j < Vocabulary; j++)
        {
            row[j] = -((j - target + Vocabulary) % Vocabulary);
        }
    }

    public void Dispose()
    {
    }

    private void Fail(string message)
    {
        Violations.Add(message);
        throw new InvalidOperationException(message);
    }
}
