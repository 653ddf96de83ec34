namespace GrainServe.Generation;

/// <summary>
/// The real step model behind a test's own look at each run: every member forwards to it, and a test overrides
/// <see cref="Run"/> (and <see cref="Release"/>) to record or check what the engine asked.
/// </summary>
internal abstract class ObservedStepModel(OnnxDecoderStepModel inner) : IStepModel
{
    /// <summary>The step model the engine really runs.</summary>
    protected OnnxDecoderStepModel Inner => inner;

    public int VocabularySize => inner.VocabularySize;

    public int MaxContextLength => inner.MaxContextLength;

    public long KvBytesPerToken => inner.KvBytesPerToken;

    public long KvBytesHeld => inner.KvBytesHeld;

    public void ConfigureKvBlockSize(int blockSize) => inner.ConfigureKvBlockSize(blockSize);

    public virtual StepLogits Run(IReadOnlyList<StepEntry> entries) => inner.Run(entries);

    public virtual void Release(long sequenceId) => inner.Release(sequenceId);

    public void Dispose() => inner.Dispose();
}
