namespace GrainServe.Generation;

/// <summary>
/// vLLM V1's iteration-level policy, with its priority scheduling. Each step it first serves running sequences in
/// admission order (a decode is one token, a prefill the rest of its prompt or a chunk of it), preempting the running
/// sequence of the lowest priority (the highest value), most recently admitted among equals, when KV blocks run out;
/// then admits waiting sequences by priority, first come, first served within one, while the token budget, the sequence
/// limit and the pool allow. With every priority equal (the default, 0) this is vLLM's FCFS policy. Pure: the engine
/// applies the decisions (releases, model calls).
/// </summary>
internal sealed class Scheduler(EngineOptions options, KvBlockManager blocks)
{
    // Admission order: the last one is the first to preempt.
    private readonly List<Sequence> _running = [];

    // In admission order: by priority, then first come, first served. A preempted sequence goes to the front of its
    // priority, so it is readmitted before newer ones of its priority.
    private readonly LinkedList<Sequence> _waiting = new();
    private long _admissions;

    // Caches kept past their sequence's end for forks, by that sequence's id, oldest first; each holds its blocks.
    private readonly Dictionary<long, RetainedKvCache> _retained = [];

    public IReadOnlyList<Sequence> Running => _running;

    public IReadOnlyCollection<Sequence> Waiting => _waiting;

    public KvBlockManager Blocks => blocks;

    public bool IsIdle => _running.Count == 0 && _waiting.Count == 0;

    public long Preemptions { get; private set; }

    public int RetainedCount => _retained.Count;

    /// <summary>Queues a new sequence at the back of its priority.</summary>
    public void Add(Sequence sequence)
    {
        sequence.Status = SequenceStatus.Waiting;
        InsertBefore(sequence, static (waiting, added) => waiting.Request.Priority > added.Request.Priority);
    }

    /// <summary>Takes a finished or cancelled sequence out of the queues and frees its blocks.</summary>
    public void Remove(Sequence sequence)
    {
        if (!_running.Remove(sequence))
        {
            _waiting.Remove(sequence);
        }

        blocks.Free(sequence.Id);
        sequence.Status = SequenceStatus.Finished;
    }

    /// <summary>
    /// Takes a sequence that ended out of the queues but keeps its blocks and (the engine does not release it) its
    /// cache, in <paramref name="cache"/>, for forks. Its computed tokens are what the cache holds.
    /// </summary>
    public void Retain(Sequence sequence, RetainedKvCache cache)
    {
        if (!_running.Remove(sequence))
        {
            _waiting.Remove(sequence);
        }

        sequence.Status = SequenceStatus.Finished;
        cache.SequenceId = sequence.Id;
        cache.Tokens = sequence.Tokens[..sequence.ComputedTokens].ToArray();
        cache.Alive = true;
        _retained[sequence.Id] = cache;
    }

    /// <summary>
    /// Drops one reference to a kept cache (a sequence forked from it or ended before it could), or, with
    /// <paramref name="owner"/>, its owner's; a released cache nobody forks from any more is dropped, its id added to
    /// <paramref name="dropped"/> for the engine to release from the step model.
    /// </summary>
    public void Unreference(RetainedKvCache cache, bool owner, List<long> dropped)
    {
        if (owner)
        {
            cache.Released = true;
        }
        else
        {
            cache.RemoveReference();
        }

        if (cache.Alive && cache.Released && cache.References <= 0)
        {
            Drop(cache, dropped);
        }
    }

    /// <summary>Drops every kept cache (the engine is stopping); their ids go to <paramref name="dropped"/>.</summary>
    public void DropRetained(List<long> dropped)
    {
        foreach (var cache in _retained.Values.ToList())
        {
            Drop(cache, dropped);
        }
    }

    private void Drop(RetainedKvCache cache, List<long> dropped)
    {
        cache.Alive = false;
        _retained.Remove(cache.SequenceId);
        blocks.Free(cache.SequenceId);
        dropped.Add(cache.SequenceId);
    }

    // Under pressure, kept caches go before any running sequence: dropping one only costs a fork its copy. Released
    // ones first (only queued forks still want them), then the oldest.
    private bool DropOneRetained(List<long> dropped)
    {
        RetainedKvCache? pick = null;
        foreach (var cache in _retained.Values)
        {
            if (cache.Released)
            {
                pick = cache;
                break;
            }

            pick ??= cache;
        }

        if (pick is null)
        {
            return false;
        }

        Drop(pick, dropped);
        return true;
    }

    // How many of a forking sequence's first tokens its source's cache holds: the shared prefix, leaving at least the
    // prompt's last token to compute (its logits are the point); 0 without a live source.
    private static int ForkLength(Sequence sequence)
    {
        if (sequence.ForkSource is not { Alive: true } source || sequence.ComputedTokens > 0)
        {
            return 0;
        }

        var tokens = sequence.Tokens;
        var limit = Math.Min(source.Tokens.Length, sequence.TotalTokens - 1);
        var shared = 0;
        while (shared < limit && tokens[shared] == source.Tokens[shared])
        {
            shared++;
        }

        return shared;
    }
    public SchedulerOutput Schedule()
    {
        var output = new SchedulerOutput();
        var budget = options.MaxNumBatchedTokens;

        var index = 0;
        while (index < _running.Count && budget > 0)
        {
            var sequence = _running[index];
            var tokens = Math.Min(sequence.UncomputedTokens, budget);
            if (tokens < sequence.UncomputedTokens && !options.EnableChunkedPrefill)
            {
                // Without chunking a running sequence is always a decode (its prefill ran whole on admission), so
                // this is only a budget smaller than what is left: it waits for the next step.
                index++;
                continue;
            }

            var selfPreempted = false;
            while (!blocks.TryReserve(sequence.Id, sequence.ReservedTokens + sequence.ComputedTokens + tokens))
            {
                if (DropOneRetained(output.Dropped))
                {
                    continue;
                }

                var victim = Victim(index);
                Preempt(victim, output);
                if (victim == sequence)
                {
                    selfPreempted = true;
                    break;
                }
            }

            if (selfPreempted)
            {
                break;
            }

            output.Scheduled.Add((sequence, tokens));
            output.TotalTokens += tokens;
            budget -= tokens;
            index++;
        }

        // As vLLM: no admissions in a step that had to preempt; the pool is short, and a just-preempted sequence at
        // the front of the queue would otherwise be readmitted at once.
        if (output.Preempted.Count == 0)
        {
            Admit(output, ref budget);
        }

        return output;
    }

    private void Admit(SchedulerOutput output, ref int budget)
    {
        while (_waiting.First is { } node && _running.Count < options.MaxNumSeqs && budget > 0)
        {
            var sequence = node.Value;
            int fork, tokens;
            var blocked = false;
            while (true)
            {
                // Again after each drop under pressure: the drop may have been this sequence's own source.
                fork = ForkLength(sequence);
                tokens = sequence.UncomputedTokens - fork;
                if (tokens > budget)
                {
                    if (options.EnableChunkedPrefill)
                    {
                        tokens = budget;
                    }
                    else if (output.Scheduled.Count > 0)
                    {
                        // FIFO: nothing behind it may overtake it.
                        blocked = true;
                        break;
                    }

                    // Else it runs alone past the budget: it could never fit, and would starve.
                }

                if (blocks.TryReserve(sequence.Id, sequence.ReservedTokens + sequence.ComputedTokens + fork + tokens))
                {
                    break;
                }

                if (!DropOneRetained(output.Dropped))
                {
                    blocked = true;
                    break;
                }
            }

            if (blocked)
            {
                break;
            }

            if (sequence.ForkSource is { } source)
            {
                if (fork > 0)
                {
                    sequence.ComputedTokens = fork;
                    output.Forks.Add((sequence, source.SequenceId, fork));
                }

                // Dropped only after the engine copied it: the engine releases output.Dropped after the forks.
                sequence.ForkSource = null;
                Unreference(source, owner: false, output.Dropped);
            }

            _waiting.RemoveFirst();
            _running.Add(sequence);
            sequence.Status = SequenceStatus.Prefilling;
            sequence.AdmissionOrder = _admissions++;
            output.Scheduled.Add((sequence, tokens));
            output.TotalTokens += tokens;
            budget = Math.Max(0, budget - tokens);
        }
    }

    // The running sequence to preempt: the lowest priority (highest value), the most recently admitted among equals,
    // of those from index on. Those before it already have their tokens in this step's output, so they are kept.
    private Sequence Victim(int index)
    {
        var victim = _running[^1];
        for (var i = _running.Count - 2; i >= index; i--)
        {
            if (_running[i].Request.Priority > victim.Request.Priority)
            {
                victim = _running[i];
            }
        }

        return victim;
    }

    // Puts the sequence before the first waiting one it precedes (precedes(waiting, sequence) is true), or last.
    private void InsertBefore(Sequence sequence, Func<Sequence, Sequence, bool> precedes)
    {
        for (var node = _waiting.First; node is not null; node = node.Next)
        {
            if (precedes(node.Value, sequence))
            {
                _waiting.AddBefore(node, sequence);
                return;
            }
        }

        _waiting.AddLast(sequence);
    }

    private void Preempt(Sequence sequence, SchedulerOutput output)
    {
        // Recompute mode: the cache is dropped and rebuilt from prompt and output on readmission; the sequence keeps
        // its tokens and its random state, so what it generates does not change.
        _running.Remove(sequence);
        blocks.Free(sequence.Id);
        sequence.ComputedTokens = 0;
        sequence.Status = SequenceStatus.Preempted;
        InsertBefore(sequence, static (waiting, preempted) => waiting.Request.Priority >= preempted.Request.Priority);
        output.Preempted.Add(sequence);
        Preemptions++;
    }
}
