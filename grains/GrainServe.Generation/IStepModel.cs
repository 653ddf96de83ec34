namespace GrainServe.Generation;

/// <summary>
/// One forward pass of an autoregressive decoder over many sequences at once, each with its own KV cache, which the
/// step model keeps between steps. The engine decides what runs; the step model only computes.
/// </summary>
/// <remarks>
/// Called from one thread at a time (the engine's loop). A sequence's cache holds exactly the tokens fed to it so far:
/// an entry whose <see cref="StepEntry.Start"/> differs from that count is a bug in the caller and throws.
/// </remarks>
public interface IStepModel : IDisposable
{
    /// <summary>Logits per position: the model's vocabulary size, which may differ from the tokenizer's.</summary>
    int VocabularySize { get; }

    /// <summary>The most tokens (prompt and generated) a sequence may hold: the model's context length.</summary>
    int MaxContextLength { get; }

    /// <summary>Bytes of KV cache one token of one sequence takes (every layer, key and value).</summary>
    long KvBytesPerToken { get; }

    /// <summary>
    /// Feeds each entry's tokens on top of its sequence's cache and returns, for every entry whose
    /// <see cref="StepEntry.NeedsLogits"/> is set, the logits after its last token, in entry order.
    /// Throws when the runtime fails; the engine then fails every sequence of the step.
    /// </summary>
    StepLogits Run(IReadOnlyList<StepEntry> entries);

    /// <summary>Frees a sequence's cache (it finished, was cancelled or was preempted). Unknown ids are ignored.</summary>
    void Release(long sequenceId);

    /// <summary>
    /// Host bytes the per-sequence KV caches hold now: with caches grown in whole blocks of the engine's block size
    /// (<see cref="ConfigureKvBlockSize"/>), at most the blocks the engine's pool has given the sequences. 0 for a model
    /// that keeps none (the default).
    /// </summary>
    long KvBytesHeld => 0;

    /// <summary>
    /// Called by the engine before its first step with its <see cref="EngineOptions.BlockSize"/>, the unit the model's
    /// caches should grow by. The default ignores it.
    /// </summary>
    void ConfigureKvBlockSize(int blockSize)
    {
    }

    /// <summary>
    /// Starts <paramref name="targetId"/>'s cache as a copy of the first <paramref name="tokens"/> tokens of
    /// <paramref name="sourceId"/>'s (a fork: beam search's beams continue from their parent's cache); the target's next
    /// entry then starts at <paramref name="tokens"/>. False, with nothing changed, when the model cannot (the default:
    /// no fork support), the source holds fewer tokens or the target already has a cache; the engine then prefills.
    /// </summary>
    bool TryFork(long sourceId, long targetId, int tokens) => false;
}
