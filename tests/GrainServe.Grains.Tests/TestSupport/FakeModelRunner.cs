using System.Collections.Concurrent;
using GrainServe.Contracts;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.TestSupport;

/// <summary>
/// A runner for one FP32 input <c>INPUT0 [-1, width]</c> that returns <c>OUTPUT0 = INPUT0</c> and
/// <c>OUTPUT1 = INPUT0 + 1</c>, records every batch it runs, and can be made to fail or to wait.
/// </summary>
internal sealed class FakeModelRunner : IModelRunner
{
    public FakeModelRunner(int maxBatchSize, int width = 2)
    {
        Config = new ModelConfig
        {
            Name = "fake",
            MaxBatchSize = maxBatchSize,
            Input = [new ModelTensorConfig { Name = "INPUT0", DataType = "TYPE_FP32", Dims = [width] }],
            Output =
            [
                new ModelTensorConfig { Name = "OUTPUT0", DataType = "TYPE_FP32", Dims = [width] },
                new ModelTensorConfig { Name = "OUTPUT1", DataType = "TYPE_FP32", Dims = [width] },
            ],
        };
    }

    public ModelConfig Config { get; }

    public ConcurrentQueue<long> BatchRows { get; } = new();

    /// <summary>Each batch's first input, row values joined: which requests ran together, in run order.</summary>
    public ConcurrentQueue<float[]> BatchInputs { get; } = new();

    /// <summary>Runs inside each batch, after the gate: a test's fake clock advances here to give batches a duration.</summary>
    public Action? OnRun { get; set; }

    public Exception? FailWith { get; set; }

    /// <summary>When set, each run waits for it, so tests can hold a batch "on the device".</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task<InferTensor[]> RunAsync(InferTensor[] inputs, string[] outputNames, CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        OnRun?.Invoke();
        BatchRows.Enqueue(inputs[0].Shape[0]);
        BatchInputs.Enqueue(Floats.FromBytes(inputs[0].Data));
        if (FailWith is { } failure)
        {
            throw failure;
        }

        var input = inputs[0];
        var values = Floats.FromBytes(input.Data);
        return outputNames.Select(name => name == "OUTPUT0"
            ? new InferTensor(name, "FP32", input.Shape, input.Data)
            : new InferTensor(name, "FP32", input.Shape, Floats.ToBytes(values.Select(v => v + 1).ToArray()))).ToArray();
    }

    public void Dispose()
    {
    }
}
