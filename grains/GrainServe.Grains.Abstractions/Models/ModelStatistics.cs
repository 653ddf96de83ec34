namespace GrainServe.Models;

/// <summary>
/// The inference statistics of one model version, summed over its instances, with Triton's meaning: counts
/// and nanosecond totals since the instances were loaded.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.ModelStatistics")]
public sealed record ModelStatistics
{
    /// <summary>The model's name.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The version.</summary>
    [Id(1)] public required string Version { get; init; }

    /// <summary>When the last request ran, in milliseconds since the Unix epoch; 0 if none has.</summary>
    [Id(2)] public ulong LastInference { get; init; }

    /// <summary>Rows inferred (a request of batch size 4 counts 4).</summary>
    [Id(3)] public ulong InferenceCount { get; init; }

    /// <summary>Model runs (batches) executed.</summary>
    [Id(4)] public ulong ExecutionCount { get; init; }

    /// <summary>Requests answered successfully, with their time from queueing to answer.</summary>
    [Id(5)] public StatisticDuration Success { get; init; } = StatisticDuration.Zero;

    /// <summary>Requests that failed (invalid for the model, rejected, timed out or failed in their batch).</summary>
    [Id(6)] public StatisticDuration Fail { get; init; } = StatisticDuration.Zero;

    /// <summary>Time successful requests waited in their instance's queue.</summary>
    [Id(7)] public StatisticDuration Queue { get; init; } = StatisticDuration.Zero;

    /// <summary>Time spent joining inputs, counted per request.</summary>
    [Id(8)] public StatisticDuration ComputeInput { get; init; } = StatisticDuration.Zero;

    /// <summary>Time spent in the model, counted per request.</summary>
    [Id(9)] public StatisticDuration ComputeInfer { get; init; } = StatisticDuration.Zero;

    /// <summary>Time spent splitting outputs, counted per request.</summary>
    [Id(10)] public StatisticDuration ComputeOutput { get; init; } = StatisticDuration.Zero;

    /// <summary>The same split per batch size, one entry per size seen, ascending.</summary>
    [Id(11)] public BatchStatistics[] BatchStats { get; init; } = [];

    /// <summary>The sum of two versions' statistics (used to add up instances); keeps this one's name and version.</summary>
    public ModelStatistics Add(ModelStatistics other) => this with
    {
        LastInference = Math.Max(LastInference, other.LastInference),
        InferenceCount = InferenceCount + other.InferenceCount,
        ExecutionCount = ExecutionCount + other.ExecutionCount,
        Success = Success + other.Success,
        Fail = Fail + other.Fail,
        Queue = Queue + other.Queue,
        ComputeInput = ComputeInput + other.ComputeInput,
        ComputeInfer = ComputeInfer + other.ComputeInfer,
        ComputeOutput = ComputeOutput + other.ComputeOutput,
        BatchStats = BatchStats.Concat(other.BatchStats)
            .GroupBy(b => b.BatchSize)
            .Select(g => g.Aggregate((a, b) => a + b))
            .OrderBy(b => b.BatchSize)
            .ToArray(),
    };
}
