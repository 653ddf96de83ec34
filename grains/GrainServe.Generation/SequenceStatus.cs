namespace GrainServe.Generation;

/// <summary>Where a sequence is in its life, as the scheduler sees it.</summary>
public enum SequenceStatus
{
    /// <summary>Queued, no cache yet.</summary>
    Waiting,

    /// <summary>Admitted; its prompt (or, after a preemption, prompt and output) is being computed, maybe in chunks.</summary>
    Prefilling,

    /// <summary>Its prompt is in the cache; one token per step.</summary>
    Decoding,

    /// <summary>Its cache was taken for others; it waits at the front of the queue to be recomputed.</summary>
    Preempted,

    /// <summary>Done: see its <see cref="FinishReason"/>.</summary>
    Finished,
}
