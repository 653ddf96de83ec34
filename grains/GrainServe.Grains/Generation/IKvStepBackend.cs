namespace GrainServe.Generation;

/// <summary>
/// Where the KV cache lives and how a step's tensors reach the session: the seam between the step model's
/// bookkeeping (checking entries, planning the padded batch, picking the logits rows) and the runtime.
/// <see cref="HostKvStepBackend{TKv, TLogits}"/> keeps the cache in host arrays and copies the padded past into fresh input
/// tensors every step; <see cref="IoBindingKvStepBackend{TKv, TLogits}"/> binds them with <c>OrtIoBinding</c> onto
/// buffers allocated once per capacity (device memory for the KV under CUDA). A backend that kept each sequence's
/// KV on the device (present written in place, past_present_share_buffer style) would implement the same three
/// members; the step model above it would not change.
/// </summary>
internal interface IKvStepBackend : IDisposable
{
    /// <summary>Tokens held for a sequence; 0 for one it does not know.</summary>
    int Held(long sequenceId);

    /// <summary>Frees a sequence's cache; unknown ids are ignored.</summary>
    void Release(long sequenceId);

    /// <summary>Tokens each sequence's cache grows by (the engine's block size); set before the first step.</summary>
    int KvBlockSize { get; set; }

    /// <summary>Host bytes the sequences' caches hold now.</summary>
    long KvBytesHeld { get; }

    /// <summary>
    /// Where the sequence's row is cheapest in a batch: rows sorted by this run without copying per-sequence state the
    /// backend keeps stacked (an encoder-decoder's cross-attention). Equal for every sequence when nothing is stacked.
    /// </summary>
    int RowOrder(long sequenceId) => 0;

    /// <summary>Starts a sequence's cache as a copy of another's first tokens (see <see cref="IStepModel.TryFork"/>); false when the backend cannot.</summary>
    bool TryFork(long sourceId, long targetId, int tokens) => false;

    /// <summary>Runs that took the run before's present as their past without copying (0 for a backend that never does).</summary>
    long ContinuedRuns => 0;

    /// <summary>
    /// Runs the session once over <paramref name="plan"/>'s padded batch, appends each row's real new KV to its
    /// sequence (only when the run succeeds), and writes the logits after each row's last real token into
    /// <paramref name="logits"/> (row after row, <c>vocab</c> floats each) for the entries that need them, and the
    /// hidden states at the same positions into <paramref name="hidden"/> when the layout has them (empty otherwise).
    /// </summary>
    void Run(IReadOnlyList<StepEntry> entries, StepPlan plan, Span<float> logits, Span<float> hidden);
}
