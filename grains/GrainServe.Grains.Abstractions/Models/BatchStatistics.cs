namespace GrainServe.Models;

/// <summary>The time spent on the batches of one size (Triton's <c>InferBatchStatistics</c>).</summary>
/// <param name="BatchSize">Rows per batch.</param>
/// <param name="ComputeInput">Joining the requests' inputs into the batch.</param>
/// <param name="ComputeInfer">Running the model.</param>
/// <param name="ComputeOutput">Splitting the outputs back to the requests.</param>
[GenerateSerializer, Immutable, Alias("GrainServe.BatchStatistics")]
public sealed record BatchStatistics(
    [property: Id(0)] ulong BatchSize,
    [property: Id(1)] StatisticDuration ComputeInput,
    [property: Id(2)] StatisticDuration ComputeInfer,
    [property: Id(3)] StatisticDuration ComputeOutput)
{
    /// <summary>The sum of two entries of the same batch size.</summary>
    public static BatchStatistics operator +(BatchStatistics a, BatchStatistics b) =>
        new(a.BatchSize, a.ComputeInput + b.ComputeInput, a.ComputeInfer + b.ComputeInfer, a.ComputeOutput + b.ComputeOutput);
}
