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

    public IReadOnlyList<Sequence> Running => _running;

    public IReadOnlyCollection<Sequence> Waiting => _waiting;

    public KvBlockManager Blocks => blocks;

    public bool IsIdle => _running.Count == 0 && _waiting.Count == 0;

    public long Preemptions { get; private set; }

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
            var tokens = sequence.UncomputedTokens;
            if (tokens > budget)
            {
                if (options.EnableChunkedPrefill)
                {
                    tokens = budget;
                }
                else if (output.Scheduled.Count > 0)
                {
                    // FIFO: nothing behind it may overtake it.
                    break;
                }

                // Else it runs alone past the budget: it could never fit, and would starve.
            }

            if (!blocks.TryReserve(sequence.Id, sequence.ReservedTokens + sequence.ComputedTokens + tokens))
            {
                break;
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
