namespace GrainServe.Generation;

/// <summary>The logits a step produced: one row of <see cref="VocabularySize"/> floats per entry that asked for them.</summary>
public sealed class StepLogits(float[] data, int rows, int vocabularySize)
{
    /// <summary>Rows in entry order (entries without <see cref="StepEntry.NeedsLogits"/> have none).</summary>
    public int Rows { get; } = rows;

    /// <summary>Floats per row.</summary>
    public int VocabularySize { get; } = vocabularySize;

    /// <summary>Row <paramref name="index"/>'s logits.</summary>
    public ReadOnlySpan<float> Row(int index) => data.AsSpan(index * VocabularySize, VocabularySize);
}
