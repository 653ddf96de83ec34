using GrainServe.Embeddings;
using GrainServe.Gpu;
using GrainServe.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Runtime;

/// <summary>
/// Creates ONNX Runtime sessions: the CUDA execution provider with the device id on a GPU, the CPU provider
/// on a CPU device. When the CUDA provider is not in this build (the default build references the CPU
/// package) or fails to start, it logs why and falls back to the CPU provider.
/// </summary>
public sealed partial class OnnxModelRunnerFactory : IModelRunnerFactory
{
    private const string CudaProvider = "CUDAExecutionProvider";

    private readonly RuntimeOptions _options;
    private readonly ILogger<OnnxModelRunnerFactory> _logger;

    /// <summary>Creates the factory.</summary>
    public OnnxModelRunnerFactory(IOptions<RuntimeOptions> options, ILogger<OnnxModelRunnerFactory> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public IModelRunner Create(ModelDefinition model, long version, LocalDevice device)
    {
        var path = model.ModelPath(version);
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = _options.IntraOpNumThreads,
            InterOpNumThreads = _options.InterOpNumThreads,
            ExecutionMode = _options.ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            LogId = $"{model.Name}/{version}",
        };

        try
        {
            if (device.Kind == DeviceKind.Gpu)
            {
                AppendCuda(sessionOptions, device);
            }

            InferenceSession session;
            try
            {
                session = new InferenceSession(path, sessionOptions);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new ModelLoadException($"model '{model.Name}' version {version}: ONNX Runtime cannot load {Path.GetFileName(path)}: {ex.Message}", ex);
            }

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
        finally
        {
            // The session keeps what it needs; the options hold native memory until disposed.
            sessionOptions.Dispose();
        }
    }

    private void AppendCuda(SessionOptions sessionOptions, LocalDevice device)
    {
        if (!OrtEnv.Instance().GetAvailableProviders().Contains(CudaProvider))
        {
            LogCudaUnavailable(_logger, device.DeviceId, "this build has the CPU ONNX Runtime package; build with -p:GrainServeGpu=true for CUDA");
            return;
        }

        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(device.Index);
        }
        catch (OnnxRuntimeException ex)
        {
            LogCudaUnavailable(_logger, device.DeviceId, ex.Message);
        }
    }

    [LoggerMessage(EventId = EventIds.CudaUnavailable, EventName = nameof(EventIds.CudaUnavailable), Level = LogLevel.Warning,
        Message = "CUDA execution provider unavailable for {DeviceId}, running on the CPU provider: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string deviceId, string reason);
}
