namespace GrainServe.Generation;

/// <summary>The scheduler's limits, with vLLM's names (<c>max_num_seqs</c>, <c>max_num_batched_tokens</c>, ...).</summary>
public sealed record EngineOptions
{
    /// <summary>The most sequences in one step (running at once). config.json <c>max_num_seqs</c>; default 256 (vLLM's).</summary>
    public int MaxNumSeqs { get; init; } = 256;

    /// <summary>The most tokens computed in one step, prefill chunks and decodes together. <c>max_num_batched_tokens</c>; default 2048.</summary>
    public int MaxNumBatchedTokens { get; init; } = 2048;

    /// <summary>The most tokens a sequence may hold, prompt and output; at most the model's context. <c>max_model_len</c>; default: the model's context.</summary>
    public int? MaxModelLen { get; init; }

    /// <summary>Prefill long prompts in chunks that fit the step's token budget, beside running decodes. <c>enable_chunked_prefill</c>; default true.</summary>
    public bool EnableChunkedPrefill { get; init; } = true;

    /// <summary>Bytes reserved for the KV cache of all sequences together. <c>kv_cache_bytes</c>; required.</summary>
    public long KvCacheBytes { get; init; }

    /// <summary>Tokens per KV block, the unit the cache is accounted in. <c>block_size</c>; default 16 (vLLM's).</summary>
    public int BlockSize { get; init; } = 16;
}
