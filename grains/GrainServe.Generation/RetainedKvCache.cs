namespace GrainServe.Generation;

/// <summary>
/// A sequence's KV cache kept in the engine after the sequence ends, so that later sequences whose prompts begin with
/// its tokens start from a copy of it instead of prefilling them again (<see cref="GenerationRequest.ForkFrom"/>): a
/// fork, as beam search needs one per beam and step. Give it to one request as <see cref="GenerationRequest.RetainCache"/>;
/// hand it back with <see cref="GenerationEngine.Release"/> once no more forks will be made from it.
/// </summary>
/// <remarks>
/// A kept cache holds its KV blocks (it is memory) until it is released and every sequence forking from it has
/// forked or ended. When the pool runs short the engine drops kept caches before it preempts a running sequence; a
/// sequence whose source was dropped, or a step model that cannot copy caches, simply computes its whole prompt, so a
/// fork changes what a step costs, never what it computes. Its fields are the engine loop's, but for the reference
/// count, which <see cref="GenerationEngine.Submit"/> raises on the caller's thread: a fork submitted before its
/// source's <see cref="GenerationEngine.Release"/> is then always counted before the release is seen.
/// </remarks>
public sealed class RetainedKvCache
{
    private int _references;

    /// <summary>The sequence whose cache is kept; 0 until one ends into this handle.</summary>
    internal long SequenceId { get; set; }

    /// <summary>The tokens the kept cache holds, in order.</summary>
    internal int[] Tokens { get; set; } = [];

    /// <summary>Whether the cache is kept now (retained and not yet dropped).</summary>
    internal bool Alive { get; set; }

    /// <summary>Sequences submitted to fork from it that have not yet (or ended first).</summary>
    internal int References => Volatile.Read(ref _references);

    internal void AddReference() => Interlocked.Increment(ref _references);

    internal void RemoveReference() => Interlocked.Decrement(ref _references);

    /// <summary>Whether its owner handed it back: no more forks will be asked of it.</summary>
    internal bool Released { get; set; }
}
