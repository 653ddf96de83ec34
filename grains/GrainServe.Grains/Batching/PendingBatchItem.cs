namespace GrainServe.Batching;

/// <summary>
/// What the batch policy needs to know of a queued request.
/// </summary>
/// <param name="Rows">The request's size along the batch dimension (1 for a model without one).</param>
/// <param name="EnqueuedAt">When it was queued, on the queue's clock.</param>
/// <param name="ShapeKey">Requests join only when their shapes past the batch dimension are equal; this encodes them.</param>
/// <param name="Deadline">When its client stops waiting, on the queue's clock; null for none.</param>
public readonly record struct PendingBatchItem(int Rows, DateTimeOffset EnqueuedAt, string ShapeKey, DateTimeOffset? Deadline = null);
