using GrainServe.Gpu;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Runtime;

/// <summary>
/// Creates ONNX Runtime sessions for every model kind: the CUDA execution provider with the device id on a GPU, the CPU
/// provider on a CPU device. When the CUDA provider is not in this build (the default build references the CPU package)
/// or fails to start, it logs why and falls back to the CPU provider.
/// </summary>
public sealed partial class OnnxSessionFactory
{
    /// <summary>ONNX Runtime's name for the CUDA execution provider.</summary>
    internal const string CudaProvider = "CUDAExecutionProvider";

    private readonly RuntimeOptions _options;
    private readonly ILogger<OnnxSessionFactory> _logger;

    /// <summary>Creates the factory.</summary>
    public OnnxSessionFactory(IOptions<RuntimeOptions> options, ILogger<OnnxSessionFactory> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>
    /// Loads <paramref name="path"/> for <paramref name="device"/>. Throws <see cref="ModelLoadException"/> naming the
    /// model when ONNX Runtime cannot load the file.
    /// </summary>
    public InferenceSession Create(string path, string modelName, long version, LocalDevice device)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = _options.IntraOpNumThreads,
            InterOpNumThreads = _options.InterOpNumThreads,
            ExecutionMode = _options.ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            LogId = $"{modelName}/{version}",
        };

        if (device.Kind == DeviceKind.Gpu)
        {
            AppendCuda(sessionOptions, device);
        }

        try
        {
            // The session keeps what it needs of the options, which are disposed on return.
            return new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"model '{modelName}' version {version}: ONNX Runtime cannot load {Path.GetFileName(path)}: {ex.Message}", ex);
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
