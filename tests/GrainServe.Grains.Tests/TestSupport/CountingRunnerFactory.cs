using System.Collections.Concurrent;
using GrainServe.Contracts;
using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.TestSupport;

/// <summary>
/// Wraps the real runner factory and counts the batches each device runs and the instances each model loads, so tests
/// see where work went; a gate set for a model holds its batches "on the device" until the test opens it, and a load
/// gate holds its instance loads.
/// </summary>
internal sealed class CountingRunnerFactory(IModelRunnerFactory inner) : IModelRunnerFactory
{
    public static ConcurrentDictionary<string, int> RunsByDevice { get; } = new();

    public static ConcurrentDictionary<string, int> LoadsByModel { get; } = new();

    public static ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();

    public static ConcurrentDictionary<string, TaskCompletionSource> LoadGates { get; } = new();

    public IModelRunner Create(ModelDefinition model, long version, LocalDevice device)
    {
        if (LoadGates.TryGetValue(model.Name, out var gate))
        {
            // Create runs on a pool thread (the GPU grain keeps loads off its turn), as a slow session creation would.
            gate.Task.Wait(TimeSpan.FromSeconds(30));
        }

        LoadsByModel.AddOrUpdate(model.Name, 1, (_, n) => n + 1);
        return new CountingRunner(inner.Create(model, version, device), model.Name, $"{device.Uuid}:{model.Name}");
    }

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
