namespace GrainServe.Generation;

/// <summary>
/// The logits a step produced: one row of <see cref="VocabularySize"/> floats per entry that asked for them, and, from a
/// step model that exposes them, the last hidden state at the same positions (<see cref="HiddenSize"/> floats a row).
/// </summary>
public sealed class StepLogits(float[] data, int rows, int vocabularySize, float[]? hidden = null, int hiddenSize = 0)
{
    /// <summary>Rows in entry order (entries without <see cref="StepEntry.NeedsLogits"/> have none).</summary>
    public int Rows { get; } = rows;

    /// <summary>Floats per row.</summary>
    public int VocabularySize { get; } = vocabularySize;

    /// <summary>Floats per hidden-state row; 0 when the step model gives none (most decoders).</summary>
    public int HiddenSize { get; } = hidden is null ? 0 : hiddenSize;

    /// <summary>Row <paramref name="index"/>'s logits.</summary>
    public ReadOnlySpan<float> Row(int index) => data.AsSpan(index * VocabularySize, VocabularySize);

    /// <summary>
    /// Row <paramref name="index"/>'s hidden state: the decoder's output at the position whose logits are
    /// <see cref="Row"/> (XTTS's GPT latents, which its vocoder turns into audio); empty when <see cref="HiddenSize"/> is 0.
    /// </summary>
    public ReadOnlySpan<float> HiddenRow(int index) => HiddenSize == 0 ? [] : hidden.AsSpan(index * HiddenSize, HiddenSize);
}
