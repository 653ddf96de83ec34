using System.Collections.Concurrent;
using GrainServe.Contracts;
using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.TestSupport;

/// <summary>
/// Wraps the real runner factory and counts the batches each device runs, so tests see where work went; a gate
/// set for a model holds its batches "on the device" until the test opens it.
/// </summary>
internal sealed class CountingRunnerFactory(IModelRunnerFactory inner) : IModelRunnerFactory
{
    public static ConcurrentDictionary<string, int> RunsByDevice { get; } = new();

    public static ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();

    public IModelRunner Create(ModelDefinition model, long version, LocalDevice device) =>
        new CountingRunner(inner.Create(model, version, device), model.Name, $"{device.Uuid}:{model.Name}");

    private sealed class CountingRunner(IModelRunner inner, string model, string key) : IModelRunner
    {
        public ModelConfig Config => inner.Config;

        public async Task<InferTensor[]> RunAsync(InferTensor[] inputs, string[] outputNames, CancellationToken cancellationToken)
        {
            RunsByDevice.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (Gates.TryGetValue(model, out var gate))
            {
                await gate.Task;
            }

            return await inner.RunAsync(inputs, outputNames, cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }
}
