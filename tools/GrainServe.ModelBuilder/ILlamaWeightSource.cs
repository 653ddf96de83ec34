namespace GrainServe.ModelBuilder;

/// <summary>
/// The weights of a <see cref="LlamaDecoder"/>, asked for in graph order (embedding, then layer by layer), so a
/// seeded source gives the same file every time. Matrices are <c>[rows = inputs, cols = outputs]</c>.
/// </summary>
internal interface ILlamaWeightSource
{
    LlamaTensor Embedding(int vocab, int hidden);

    LlamaTensor Norm(int hidden);

    LlamaTensor Q(int layer, int rows, int cols);

    LlamaTensor K(int layer, int rows, int cols);

    LlamaTensor V(int layer, int rows, int cols);

    LlamaTensor O(int layer, int rows, int cols);

    LlamaTensor Gate(int layer, int rows, int cols);

    LlamaTensor Up(int layer, int rows, int cols);

    LlamaTensor Down(int layer, int rows, int cols);
}
