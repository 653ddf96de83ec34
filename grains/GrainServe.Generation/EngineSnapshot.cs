namespace GrainServe.Generation;

/// <summary>The engine's live figures, for metrics and routing (vLLM's gauges and counters).</summary>
public sealed record EngineSnapshot
{
    /// <summary>Sequences admitted and not finished (<c>vllm:num_requests_running</c>).</summary>
    public int Running { get; init; }

    /// <summary>Sequences queued, preempted ones included (<c>vllm:num_requests_waiting</c>).</summary>
    public int Waiting { get; init; }

    /// <summary>KV blocks in use.</summary>
    public int UsedBlocks { get; init; }

    /// <summary>KV blocks in the pool.</summary>
    public int TotalBlocks { get; init; }

    /// <summary>Preemptions since start (<c>vllm:num_preemptions_total</c>).</summary>
    public long Preemptions { get; init; }

    /// <summary>Prompt tokens computed since start, recomputation excluded (<c>vllm:prompt_tokens_total</c>).</summary>
    public long PromptTokens { get; init; }

    /// <summary>Tokens generated since start (<c>vllm:generation_tokens_total</c>).</summary>
    public long GenerationTokens { get; init; }

    /// <summary>
    /// Tokens fed to the step model since start, prefill and decode, recomputation after preemption included: the
    /// tokens the model computed. A fork's copied tokens are not among them (<see cref="ForkedTokens"/>).
    /// </summary>
    public long ComputedTokens { get; init; }

    /// <summary>Tokens copied from kept caches into forked sequences since start, instead of computed (<see cref="GenerationRequest.ForkFrom"/>).</summary>
    public long ForkedTokens { get; init; }

    /// <summary>Caches kept for forks now (<see cref="GenerationRequest.RetainCache"/>); their blocks are in <see cref="UsedBlocks"/>.</summary>
    public int RetainedCaches { get; init; }

    /// <summary>Steps run since start.</summary>
    public long Steps { get; init; }

    /// <summary>Time spent in the step model since start: the device's busy time for this engine's model.</summary>
    public TimeSpan ComputeTime { get; init; }

    /// <summary>The fraction of KV blocks in use, 0 to 1 (<c>vllm:kv_cache_usage_perc</c>).</summary>
    /// <summary>
    /// Host bytes the step model's per-sequence KV caches hold (<see cref="IStepModel.KvBytesHeld"/>): never more than
    /// <see cref="UsedBlocks"/> blocks' worth, and 0 once every sequence has left.
    /// </summary>
    public long KvBytesHeld { get; init; }

    /// <summary>Bytes of the KV pool: <see cref="TotalBlocks"/> blocks of <c>block_size</c> tokens.</summary>
    public long KvPoolBytes { get; init; }

    public double KvCacheUsage => TotalBlocks == 0 ? 0 : (double)UsedBlocks / TotalBlocks;
}
