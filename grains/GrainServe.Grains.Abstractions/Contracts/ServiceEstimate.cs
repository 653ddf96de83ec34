namespace GrainServe.Contracts;

/// <summary>
/// How fast an instance's batch queue has been serving, as it reports with each answer: what a gateway reads to tell
/// whether that queue can still answer a request by its deadline.
/// </summary>
/// <param name="BatchTime">The instance's recent batch duration (a moving average), from the batch's start to its outputs split.</param>
/// <param name="RequestsPerBatch">The recent number of requests per batch (a moving average), at least 1.</param>
[GenerateSerializer, Immutable, Alias("GrainServe.ServiceEstimate")]
public readonly record struct ServiceEstimate(
    [property: Id(0)] TimeSpan BatchTime,
    [property: Id(1)] double RequestsPerBatch);
