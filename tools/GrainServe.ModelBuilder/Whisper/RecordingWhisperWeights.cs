namespace GrainServe.ModelBuilder.Whisper;

/// <summary>Passes another source's weights through and keeps each one, in the order they were drawn.</summary>
internal sealed class RecordingWhisperWeights(IWhisperWeightSource inner) : IWhisperWeightSource
{
    private readonly List<LlamaTensor> _drawn = [];

    public IReadOnlyList<LlamaTensor> Drawn => _drawn;

    public LlamaTensor Matrix(int rows, int cols) => Keep(inner.Matrix(rows, cols));

    public LlamaTensor Conv(int outChannels, int inChannels, int kernel) => Keep(inner.Conv(outChannels, inChannels, kernel));

    public LlamaTensor Bias(int size) => Keep(inner.Bias(size));

    public LlamaTensor NormScale(int size) => Keep(inner.NormScale(size));

    public LlamaTensor NormBias(int size) => Keep(inner.NormBias(size));

    public LlamaTensor Embedding(int rows, int hidden) => Keep(inner.Embedding(rows, hidden));

    private LlamaTensor Keep(LlamaTensor tensor)
    {
        _drawn.Add(tensor);
        return tensor;
    }
}
