using GrainServe.Models;

namespace GrainServe.Batching;

/// <summary>
/// An instance's figures for the metrics port: the statistics extension's totals, failures by Triton's reasons (they
/// sum to <c>Totals.Fail.Count</c>), and the device time its work took.
/// </summary>
public sealed record InstanceFigures(ModelStatistics Totals, IReadOnlyList<long> FailuresByReason, TimeSpan BusyTime);
