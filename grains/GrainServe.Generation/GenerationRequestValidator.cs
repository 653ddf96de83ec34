using System.Globalization;

namespace GrainServe.Generation;

/// <summary>
/// Why a request cannot run, in the words an OpenAI or vLLM client knows (max_tokens, temperature, top_p, ...), or
/// null. Comparisons are written so that NaN fails them.
/// </summary>
internal static class GenerationRequestValidator
{
    /// <summary>The most top_logprobs a request may ask for (OpenAI's limit).</summary>
    public const int MaxTopLogprobs = 20;

    public const int MaxStopStrings = 16;

    public const int MaxStopLength = 256;

    public static string? Validate(GenerationRequest? request, int vocabularySize, int maxSequenceTokens, long poolTokens = long.MaxValue)
    {
        if (request is null)
        {
            return "the request is missing.";
        }

        var prompt = request.PromptTokens;
        if (prompt is null || prompt.Length == 0)
        {
            return "the prompt is empty: it must hold at least one token.";
        }

        for (var i = 0; i < prompt.Length; i++)
        {
            if ((uint)prompt[i] >= (uint)vocabularySize)
            {
                return Invariant($"prompt token {prompt[i]} at position {i} is outside the model's vocabulary of {vocabularySize} tokens (0 to {vocabularySize - 1}).");
            }
        }

        var sampling = request.Sampling;
        if (sampling is null)
        {
            return "the sampling parameters are missing.";
        }

        if (sampling.MaxTokens < 1)
        {
            return Invariant($"max_tokens must be at least 1, got {sampling.MaxTokens}.");
        }

        if ((long)prompt.Length + sampling.MaxTokens > maxSequenceTokens)
        {
            return Invariant($"the prompt ({prompt.Length} tokens) plus max_tokens ({sampling.MaxTokens}) is {(long)prompt.Length + sampling.MaxTokens} tokens, past this model's maximum of {maxSequenceTokens}; shorten the prompt or lower max_tokens.");
        }

        if (request.ConditioningTokens < 0)
        {
            return Invariant($"the conditioning state cannot take {request.ConditioningTokens} tokens of KV cache.");
        }

        if (request.ConditioningTokens > 0 && (long)prompt.Length + sampling.MaxTokens + request.ConditioningTokens > poolTokens)
        {
            return Invariant($"the prompt ({prompt.Length} tokens), max_tokens ({sampling.MaxTokens}) and the encoder state ({request.ConditioningTokens} tokens' worth) need more KV cache than this instance has ({poolTokens} tokens); lower max_tokens or raise the instance's KV cache.");
        }

        if (!(sampling.Temperature >= 0f) || float.IsPositiveInfinity(sampling.Temperature))
        {
            return Invariant($"temperature must be 0 (greedy) or more, got {sampling.Temperature}.");
        }

        if (!(sampling.TopP > 0f && sampling.TopP <= 1f))
        {
            return Invariant($"top_p must be in (0, 1], got {sampling.TopP}.");
        }

        if (sampling.TopK < -1)
        {
            return Invariant($"top_k must be -1 or 0 (all tokens) or at least 1, got {sampling.TopK}.");
        }

        if (!(sampling.MinP >= 0f && sampling.MinP <= 1f))
        {
            return Invariant($"min_p must be in [0, 1], got {sampling.MinP}.");
        }

        if (!(sampling.RepetitionPenalty > 0f) || float.IsPositiveInfinity(sampling.RepetitionPenalty))
        {
            return Invariant($"repetition_penalty must be greater than 0 (1 is off), got {sampling.RepetitionPenalty}.");
        }

        if (!(sampling.PresencePenalty >= -2f && sampling.PresencePenalty <= 2f))
        {
            return Invariant($"presence_penalty must be in [-2, 2], got {sampling.PresencePenalty}.");
        }

        if (!(sampling.FrequencyPenalty >= -2f && sampling.FrequencyPenalty <= 2f))
        {
            return Invariant($"frequency_penalty must be in [-2, 2], got {sampling.FrequencyPenalty}.");
        }

        if (sampling.TopLogprobs is < 0 or > MaxTopLogprobs)
        {
            return Invariant($"top_logprobs must be between 0 and {MaxTopLogprobs}, got {sampling.TopLogprobs}.");
        }

        if (sampling.Stop is null || sampling.Stop.Any(s => s is null))
        {
            return "stop must be a list of strings.";
        }

        // Every stop string is checked against every token on the engine's one loop thread: bound the work one request
        // can put on everyone else's steps.
        if (sampling.Stop.Count > MaxStopStrings || sampling.Stop.Any(s => s.Length is 0 or > MaxStopLength))
        {
            return Invariant($"stop takes at most {MaxStopStrings} strings of 1 to {MaxStopLength} characters each.");
        }

        if (request.StopTokenIds is null)
        {
            return "the stop token ids are missing.";
        }

        return null;
    }

    /// <summary>Every failure of the options, each with its fix, or null when they are usable.</summary>
    public static string? ValidateOptions(EngineOptions options, IStepModel model)
    {
        var failures = new List<string>();
        if (model.KvBytesPerToken < 1)
        {
            failures.Add(Invariant($"the step model reports {model.KvBytesPerToken} KV bytes per token; it must report at least 1."));
        }

        if (model.MaxContextLength < 1)
        {
            failures.Add(Invariant($"the step model reports a context length of {model.MaxContextLength}; it must be at least 1."));
        }

        if (model.VocabularySize < 1)
        {
            failures.Add(Invariant($"the step model reports a vocabulary of {model.VocabularySize}; it must be at least 1."));
        }

        if (options.MaxNumSeqs < 1)
        {
            failures.Add(Invariant($"MaxNumSeqs (max_num_seqs) is {options.MaxNumSeqs}; set it to at least 1 (vLLM's default is 256)."));
        }

        if (options.MaxNumBatchedTokens < 1)
        {
            failures.Add(Invariant($"MaxNumBatchedTokens (max_num_batched_tokens) is {options.MaxNumBatchedTokens}; set it to at least 1 (default 2048)."));
        }

        if (options.BlockSize < 1)
        {
            failures.Add(Invariant($"BlockSize (block_size) is {options.BlockSize}; set it to at least 1 (vLLM's default is 16)."));
        }

        if (options.MaxModelLen is < 1)
        {
            failures.Add(Invariant($"MaxModelLen (max_model_len) is {options.MaxModelLen}; set it to at least 1, or leave it unset for the model's context."));
        }

        if (options.BlockSize >= 1 && model.KvBytesPerToken >= 1)
        {
            var blockBytes = model.KvBytesPerToken * options.BlockSize;
            if (options.KvCacheBytes < blockBytes)
            {
                failures.Add(Invariant($"KvCacheBytes (kv_cache_bytes) is {options.KvCacheBytes}, less than one KV block of {options.BlockSize} tokens at {model.KvBytesPerToken} bytes each; set it to at least {blockBytes} (and far more, to run sequences of useful length)."));
            }
        }

        return failures.Count == 0 ? null : string.Join(" ", failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
