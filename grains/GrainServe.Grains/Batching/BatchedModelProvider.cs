using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.Extensions.Logging;

namespace GrainServe.Batching;

/// <summary>
/// Serves the kinds that run one formed batch at a time: plain ONNX models and sentence embedding pipelines, both
/// created by the <see cref="IModelRunnerFactory"/> (which tests replace) and run through a <see cref="BatchQueue"/>.
/// </summary>
internal sealed class BatchedModelProvider(IModelRunnerFactory runners, TimeProvider time, ILogger<BatchQueue> logger, LocalDeviceCatalog? catalog = null) : IModelRunnerProvider
{
    public IReadOnlyList<string> Kinds { get; } = [ModelKinds.Onnx, ModelKinds.SentenceEmbedding];

    // The files' size: the whole charge on a CPU, the admission check on a GPU (where NVML measures the real figure).
    public long EstimateBytes(ModelDefinition model, long version) => model.ModelBytes(version);

    public IInstanceScheduler Create(ModelDefinition model, long version, LocalDevice device)
    {
        var runner = runners.Create(model, version, device);
        var versionText = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var queue = new BatchQueue(model.Name, versionText, runner, BatchingSettings.FromConfig(runner.Config), time, logger, catalog?.KeyOf(device) ?? device.DeviceId);
        return new BatchedInstance(runner, queue);
    }
}
