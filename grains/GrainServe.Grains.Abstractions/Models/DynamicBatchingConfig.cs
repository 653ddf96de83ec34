namespace GrainServe.Models;

/// <summary>Triton's <c>dynamic_batching</c> block.</summary>
[GenerateSerializer, Alias("GrainServe.DynamicBatchingConfig")]
public sealed class DynamicBatchingConfig
{
    /// <summary>Batch sizes the scheduler prefers to form, in rows.</summary>
    [Id(0)] public int[] PreferredBatchSize { get; set; } = [];

    /// <summary>The longest a request waits for others to join its batch, in microseconds. Default 0.</summary>
    [Id(1)] public long MaxQueueDelayMicroseconds { get; set; }

    /// <summary>The queue policy of every priority level that <see cref="PriorityQueuePolicy"/> does not name.</summary>
    [Id(2)] public QueuePolicyConfig? DefaultQueuePolicy { get; set; }

    /// <summary>
    /// How many priority levels requests may ask for, 1 the highest: every waiting request of level 1 is batched before
    /// any of level 2. Default 0: one level. (Triton's <c>priority_levels</c>.)
    /// </summary>
    [Id(3)] public long PriorityLevels { get; set; }

    /// <summary>
    /// The level of a request that asks for none (or for 0), from 1 to <see cref="PriorityLevels"/>; 0 when there are no
    /// levels. (Triton's <c>default_priority_level</c>.)
    /// </summary>
    [Id(4)] public long DefaultPriorityLevel { get; set; }

    /// <summary>
    /// Queue policies of single levels, keyed by the level as text (<c>"1"</c>, as protobuf's JSON writes map keys): each
    /// level has its own <c>max_queue_size</c> and timeout. Null for none. (Triton's <c>priority_queue_policy</c>.)
    /// </summary>
    [Id(5)] public Dictionary<string, QueuePolicyConfig>? PriorityQueuePolicy { get; set; }
}
