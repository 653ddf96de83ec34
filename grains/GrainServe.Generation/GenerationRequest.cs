namespace GrainServe.Generation;

/// <summary>A sequence to generate: its prompt as token ids, how to sample, and which tokens end it.</summary>
/// <param name="PromptTokens">The prompt, already tokenized (and chat-templated); at least one token.</param>
/// <param name="Sampling">Sampling and stop rules.</param>
/// <param name="StopTokenIds">End-of-sequence tokens (the tokenizer's EOS, a chat template's end-of-turn).</param>
public sealed record GenerationRequest(int[] PromptTokens, SamplingParameters Sampling, IReadOnlyList<int> StopTokenIds)
{
    /// <summary>
    /// The request's own logits rule, or null. With one, log-probabilities are those of the processed distribution
    /// (vLLM's <c>processed_logprobs</c>), which is what Whisper's average log-probability is taken over.
    /// </summary>
    public ILogitsProcessor? LogitsProcessor { get; init; }

    /// <summary>
    /// State the step model conditions this sequence on beyond its tokens (an encoder's cross-attention keys and
    /// values), handed to the step model in every <see cref="StepEntry"/>; opaque to the engine. Null for none.
    /// </summary>
    public object? Conditioning { get; init; }

    /// <summary>
    /// Where the step model puts what it computes for this sequence beyond logits (an encoder-decoder's
    /// cross-attention weights), step by step; null (the default) for none, and then the step model does not compute
    /// them. Opaque to the engine, as <see cref="Conditioning"/> is.
    /// </summary>
    public IStepOutputSink? StepOutputs { get; init; }

    /// <summary>
    /// KV cache the conditioning takes, in tokens' worth of the pool (its bytes over <see cref="IStepModel.KvBytesPerToken"/>,
    /// rounded up): reserved for the sequence while it runs, so cross-attention state is counted in the same budget. Default 0.
    /// </summary>
    public int ConditioningTokens { get; init; }

    /// <summary>
    /// vLLM's priority: lower is served first. Waiting sequences are admitted in priority order (first come, first served
    /// within one), and when KV blocks run out the running sequence of the highest value is preempted first. Default 0.
    /// </summary>
    public int Priority { get; init; }

    /// <summary>
    /// When set, the sequence's KV cache is kept in this handle after it ends (end of sequence, its length, a stop
    /// string; not after an error or a cancellation), for later requests to fork from (<see cref="ForkFrom"/>), until
    /// <see cref="GenerationEngine.Release"/>. One request per handle. Null (the default): the cache is freed at the end.
    /// </summary>
    public RetainedKvCache? RetainCache { get; init; }

    /// <summary>
    /// A kept cache whose tokens this prompt begins with: the sequence starts from a copy of that cache (as many
    /// tokens as the prompts share, all but the last of this prompt at most) and prefills only the rest. A copy, so the
    /// sequence's KV is counted in the pool as its own. Without a live cache, or on a step model that cannot copy, the
    /// whole prompt is prefilled; the tokens generated are the same either way. Null (the default): no fork.
    /// </summary>
    public RetainedKvCache? ForkFrom { get; init; }
}
