namespace GrainServe.Generation;

/// <summary>
/// How one sequence picks its tokens and when it stops, with vLLM's names and defaults. The sampler applies them in
/// vLLM's order: penalties, temperature, top-k, top-p, min-p, then draws.
/// </summary>
public sealed record SamplingParameters
{
    /// <summary>Softmax temperature; 0 (or under 1e-5) is greedy (argmax, lowest id on a tie). Default 1.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Keep the smallest set of tokens whose probability reaches this mass; 1 keeps all. Default 1.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>Keep the k most likely tokens; 0 (or -1) keeps all. Default 0.</summary>
    public int TopK { get; init; }

    /// <summary>Drop tokens whose probability is under this fraction of the most likely one's; 0 keeps all. Default 0.</summary>
    public float MinP { get; init; }

    /// <summary>Divides positive logits (multiplies negative ones) of tokens already in the prompt or output; 1 is off. Default 1.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>Subtracted once from the logit of every token already generated (OpenAI's meaning), -2 to 2. Default 0.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Subtracted from a token's logit once per time it was generated (OpenAI's meaning), -2 to 2. Default 0.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>
    /// Seeds this sequence's own random source: the same seed and request give the same tokens whatever else shares the
    /// batch. Null draws a seed. Default null.
    /// </summary>
    public long? Seed { get; init; }

    /// <summary>The most tokens to generate. Default 16 (vLLM's).</summary>
    public int MaxTokens { get; init; } = 16;

    /// <summary>Stop strings: generation ends where the text first contains one, which is not emitted. Default none.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Keep going past end-of-sequence tokens (benchmarks). Default false.</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>Report the chosen token's log-probability (under the model's raw distribution). Default false.</summary>
    public bool Logprobs { get; init; }

    /// <summary>With <see cref="Logprobs"/>, also the this many most likely tokens at each position, 0 to 20. Default 0.</summary>
    public int TopLogprobs { get; init; }

    /// <summary>Leave special tokens out of the text. Default true.</summary>
    public bool SkipSpecialTokens { get; init; } = true;

    /// <summary>True when the sequence draws (temperature above 0) rather than takes the argmax.</summary>
    /// <remarks>Below vLLM's epsilon (1e-5) a temperature is greedy: dividing logits by it would overflow to infinities.</remarks>
    public bool IsRandom => Temperature >= 1e-5f;
}
