namespace GrainServe.Generation;

/// <summary>What one step runs: each scheduled sequence with its token count, in step order, and the sequences it preempted.</summary>
internal sealed class SchedulerOutput
{
    public List<(Sequence Sequence, int Tokens)> Scheduled { get; } = [];

    /// <summary>Preempted this step: the engine releases their caches from the step model before running it.</summary>
    public List<Sequence> Preempted { get; } = [];

    public int TotalTokens { get; set; }

    /// <summary>Admitted this step as forks: the engine copies the source's first tokens into the sequence's cache before running.</summary>
    public List<(Sequence Sequence, long SourceId, int Tokens)> Forks { get; } = [];

    /// <summary>Kept caches dropped this step: the engine releases them from the step model after the forks.</summary>
    public List<long> Dropped { get; } = [];
}
