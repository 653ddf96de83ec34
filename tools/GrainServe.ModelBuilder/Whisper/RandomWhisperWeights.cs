namespace GrainServe.ModelBuilder.Whisper;

/// <summary>
/// Seeded uniform FP32 weights: each matrix and kernel in ±1/√fan-in so activations stay bounded, biases and norm
/// offsets in ±0.02, norm scales in 1 ± 0.1, embeddings in ±0.05.
/// </summary>
internal sealed class RandomWhisperWeights(int seed) : IWhisperWeightSource
{
    private readonly Random _random = new(seed);

    public LlamaTensor Matrix(int rows, int cols) => Uniform(rows * cols, 0, 1 / Math.Sqrt(rows));

    public LlamaTensor Conv(int outChannels, int inChannels, int kernel) =>
        Uniform(outChannels * inChannels * kernel, 0, 1 / Math.Sqrt(inChannels * kernel));

    public LlamaTensor Bias(int size) => Uniform(size, 0, 0.02);

    public LlamaTensor NormScale(int size) => Uniform(size, 1, 0.1);

    public LlamaTensor NormBias(int size) => Uniform(size, 0, 0.02);

    public LlamaTensor Embedding(int rows, int hidden) => Uniform(rows * hidden, 0, 0.05);

    private LlamaTensor Uniform(int count, double center, double scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(center + (_random.NextDouble() * 2 - 1) * scale);
        }

        return LlamaTensor.Float(values);
    }
}
