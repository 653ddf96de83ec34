namespace GrainServe.ModelBuilder.Whisper;

/// <summary>
/// The weights of a Whisper encoder or decoder, asked for in graph order, so a seeded source gives the same file every
/// time. Matrices are <c>[rows = inputs, cols = outputs]</c>; conv kernels are ONNX's <c>[out, in, kernel]</c>.
/// Each weight is the builder's <see cref="LlamaTensor"/> (INT8 times a scale, or FP32), which the Llama decoder's
/// sources return too.
/// </summary>
internal interface IWhisperWeightSource
{
    LlamaTensor Matrix(int rows, int cols);

    LlamaTensor Conv(int outChannels, int inChannels, int kernel);

    LlamaTensor Bias(int size);

    LlamaTensor NormScale(int size);

    LlamaTensor NormBias(int size);

    LlamaTensor Embedding(int rows, int hidden);
}
