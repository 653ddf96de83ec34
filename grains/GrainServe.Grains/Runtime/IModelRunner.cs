using GrainServe.Contracts;
using GrainServe.Models;

namespace GrainServe.Runtime;

/// <summary>
/// Runs one already-formed batch through a loaded model. The batch queue joins requests into the inputs
/// and splits the outputs; a runner never sees individual requests, so a pipeline (tokenize, encode,
/// pool) or a decoder can implement it as well as a single ONNX session.
/// </summary>
public interface IModelRunner : IDisposable
{
    /// <summary>The model's effective configuration: the config as written, completed from the model file.</summary>
    ModelConfig Config { get; }

    /// <summary>
    /// Runs the batch. Inputs are in the binary layout of <see cref="InferTensor"/> with the batch joined
    /// along the first dimension; the outputs are returned in the order of <paramref name="outputNames"/>.
    /// Throws when the runtime fails; the caller fails every request of the batch with the message.
    /// </summary>
    Task<InferTensor[]> RunAsync(InferTensor[] inputs, string[] outputNames, CancellationToken cancellationToken);
}
