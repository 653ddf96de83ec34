namespace GrainServe.ModelBuilder.Whisper;

/// <summary>Where the weights of a <see cref="WhisperModel"/> come from.</summary>
public enum WhisperWeights
{
    /// <summary>Seeded random FP32 weights scaled to keep activations bounded, for any shape. The text they write means nothing.</summary>
    RandomFloat,

    /// <summary>
    /// Seeded small integers stored as INT8 with power-of-two scales and cast to FP32 in the graph: a quarter of the
    /// file size of <see cref="RandomFloat"/>, with the same graph. See <see cref="WhisperModel"/> for what it does and
    /// does not make exact.
    /// </summary>
    Int8,
}
