namespace GrainServe.ModelBuilder;

/// <summary>
/// Seeded uniform FP32 weights: the embedding in [-1, 1], each matrix in ±1/√inputs so activations stay
/// bounded, norms 1. Enough for timing; the text it writes means nothing.
/// </summary>
internal sealed class RandomLlamaWeights(int seed) : ILlamaWeightSource
{
    private readonly Random _random = new(seed);

    public LlamaTensor Embedding(int vocab, int hidden) => Uniform(vocab * hidden, 1);

    public LlamaTensor Norm(int hidden) => LlamaTensor.Float(Enumerable.Repeat(1f, hidden).ToArray());

    public LlamaTensor Q(int layer, int rows, int cols) => Matrix(rows, cols);

    public LlamaTensor K(int layer, int rows, int cols) => Matrix(rows, cols);

    public LlamaTensor V(int layer, int rows, int cols) => Matrix(rows, cols);

    public LlamaTensor O(int layer, int rows, int cols) => Matrix(rows, cols);

    public LlamaTensor Gate(int layer, int rows, int cols) => Matrix(rows, cols);

    public LlamaTensor Up(int layer, int rows, int cols) => Matrix(rows, cols);

    public LlamaTensor Down(int layer, int rows, int cols) => Matrix(rows, cols);

    private LlamaTensor Matrix(int rows, int cols) => Uniform(rows * cols, 1 / Math.Sqrt(rows));

    private LlamaTensor Uniform(int count, double scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((_random.NextDouble() * 2 - 1) * scale);
        }

        return LlamaTensor.Float(values);
    }
}
