using GrainServe.Embeddings;
using GrainServe.Gpu;
using GrainServe.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainServe.Runtime;

/// <summary>
/// Creates the runners of the batched kinds on an ONNX Runtime session from <see cref="OnnxSessionFactory"/>: a sentence
/// embedding pipeline when the config names that kind, a plain ONNX runner otherwise.
/// </summary>
public sealed class OnnxModelRunnerFactory : IModelRunnerFactory
{
    private readonly OnnxSessionFactory _sessions;

    /// <summary>Creates the factory.</summary>
    public OnnxModelRunnerFactory(OnnxSessionFactory sessions)
    {
        _sessions = sessions;
    }

    /// <summary>Creates the factory with its own session factory, outside dependency injection (tools, benchmarks).</summary>
    public OnnxModelRunnerFactory(IOptions<RuntimeOptions> options, ILogger<OnnxSessionFactory> logger)
        : this(new OnnxSessionFactory(options, logger))
    {
    }

    /// <inheritdoc />
    public IModelRunner Create(ModelDefinition model, long version, LocalDevice device)
    {
        var path = model.ModelPath(version);
        var session = _sessions.Create(path, model.Name, version, device);
        try
        {
            return EmbeddingSettings.IsEmbeddingModel(model.Config)
                ? new SentenceEmbeddingRunner(model.Name, model.Config, session, Path.GetDirectoryName(path)!)
                : new OnnxModelRunner(model.Name, model.Config, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }
}
