namespace GrainServe.ModelBuilder;

/// <summary>Where the weights of a <see cref="LlamaDecoder"/> come from.</summary>
public enum LlamaWeights
{
    /// <summary>
    /// Small integers stored as INT8 and cast to FP32 in the graph, laid out so that greedy decoding has a wide
    /// top-1 margin (see <see cref="LlamaDecoder"/>). Only for <see cref="LlamaDecoderDims.Tiny"/>'s head layout.
    /// </summary>
    Coded,

    /// <summary>Seeded random FP32 weights scaled to keep activations bounded, for any shape (benchmarks).</summary>
    RandomFloat,
}
