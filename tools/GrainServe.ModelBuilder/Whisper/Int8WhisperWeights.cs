namespace GrainServe.ModelBuilder.Whisper;

/// <summary>
/// Seeded integers in [-7, 7] stored as INT8, each tensor times a power of two near the scale
/// <see cref="RandomWhisperWeights"/> uses, so that every weight is exact in FP32 and the cast and scale (folded by
/// ONNX Runtime at load) round nothing. Norm scales are exactly 1.
/// </summary>
internal sealed class Int8WhisperWeights(int seed) : IWhisperWeightSource
{
    private readonly Random _random = new(seed);

    public LlamaTensor Matrix(int rows, int cols) => Integers(rows * cols, PowerOfTwoNear(1 / Math.Sqrt(rows)));

    public LlamaTensor Conv(int outChannels, int inChannels, int kernel) =>
        Integers(outChannels * inChannels * kernel, PowerOfTwoNear(1 / Math.Sqrt(inChannels * kernel)));

    public LlamaTensor Bias(int size) => Integers(size, 1f / 256);

    public LlamaTensor NormScale(int size) => LlamaTensor.Float(Enumerable.Repeat(1f, size).ToArray());

    public LlamaTensor NormBias(int size) => Integers(size, 1f / 256);

    public LlamaTensor Embedding(int rows, int hidden) => Integers(rows * hidden, 1f / 128);

    // The integers reach 7 where RandomWhisperWeights' uniform values reach 1, hence the seventh.
    private static float PowerOfTwoNear(double scale) => (float)Math.Pow(2, Math.Round(Math.Log2(scale / 7)));

    private LlamaTensor Integers(int count, float scale)
    {
        var values = new sbyte[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (sbyte)_random.Next(-7, 8);
        }

        return LlamaTensor.Int8(values, scale);
    }
}
