namespace GrainServe.Models;

/// <summary>Triton's <c>dynamic_batching</c> block.</summary>
[GenerateSerializer, Alias("GrainServe.DynamicBatchingConfig")]
public sealed class DynamicBatchingConfig
{
    /// <summary>Batch sizes the scheduler prefers to form, in rows.</summary>
    [Id(0)] public int[] PreferredBatchSize { get; set; } = [];

    /// <summary>The longest a request waits for others to join its batch, in microseconds. Default 0.</summary>
    [Id(1)] public long MaxQueueDelayMicroseconds { get; set; }

    /// <summary>The queue policy for requests of every priority.</summary>
    [Id(2)] public QueuePolicyConfig? DefaultQueuePolicy { get; set; }
}
