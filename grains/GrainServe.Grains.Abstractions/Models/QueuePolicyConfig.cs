namespace GrainServe.Models;

/// <summary>Triton's <c>ModelQueuePolicy</c>.</summary>
[GenerateSerializer, Alias("GrainServe.QueuePolicyConfig")]
public sealed class QueuePolicyConfig
{
    /// <summary>The most requests waiting in one instance's queue; 0 means no limit.</summary>
    [Id(0)] public int MaxQueueSize { get; set; }

    /// <summary><c>REJECT</c> (default) fails a request that waited past its timeout; <c>DELAY</c> keeps it.</summary>
    [Id(1)] public string? TimeoutAction { get; set; }

    /// <summary>How long a request may wait in the queue, in microseconds; 0 means no timeout.</summary>
    [Id(2)] public long DefaultTimeoutMicroseconds { get; set; }

    /// <summary>
    /// Whether a request's own <c>timeout</c> parameter (microseconds) may shorten <see cref="DefaultTimeoutMicroseconds"/>
    /// (never lengthen it, and never set one where the default is 0), as Triton's. Default false.
    /// </summary>
    [Id(3)] public bool AllowTimeoutOverride { get; set; }
}
