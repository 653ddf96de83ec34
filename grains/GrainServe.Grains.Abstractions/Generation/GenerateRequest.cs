namespace GrainServe.Generation;

/// <summary>
/// A text generation request as the protocols hand it to a generation model: the prompt in one of three forms, and
/// the sampling and stop rules (vLLM's names; OpenAI's and the generate extension's fields map onto them). The model
/// instance tokenizes and applies its chat template, so the gateway needs no model files.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.GenerateRequest")]
public sealed record GenerateRequest
{
    /// <summary>The version to run; null for the model's newest ready version.</summary>
    [Id(0)] public string? ModelVersion { get; init; }

    /// <summary>A text prompt, tokenized as it is (no chat template). Exactly one of the three prompt forms is set.</summary>
    [Id(1)] public string? Prompt { get; init; }

    /// <summary>A prompt already tokenized (OpenAI's completions <c>prompt</c> as an array of ids).</summary>
    [Id(2)] public int[]? PromptTokenIds { get; init; }

    /// <summary>Chat messages, rendered with the model's chat template and its generation prompt.</summary>
    [Id(3)] public ChatTurn[]? Messages { get; init; }

    /// <summary>The most tokens to generate; null for what is left of the context.</summary>
    [Id(4)] public int? MaxTokens { get; init; }

    /// <summary>0 is greedy; default 1.</summary>
    [Id(5)] public float Temperature { get; init; } = 1f;

    /// <summary>Nucleus mass, (0, 1]; default 1.</summary>
    [Id(6)] public float TopP { get; init; } = 1f;

    /// <summary>Keep the k most likely tokens; 0 or -1 keeps all.</summary>
    [Id(7)] public int TopK { get; init; }

    /// <summary>Minimum probability relative to the most likely token, [0, 1].</summary>
    [Id(8)] public float MinP { get; init; }

    /// <summary>vLLM's repetition penalty; 1 is off.</summary>
    [Id(9)] public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>OpenAI's presence penalty, -2 to 2.</summary>
    [Id(10)] public float PresencePenalty { get; init; }

    /// <summary>OpenAI's frequency penalty, -2 to 2.</summary>
    [Id(11)] public float FrequencyPenalty { get; init; }

    /// <summary>Seed of this sequence's sampling; the same seed gives the same text whatever shares the batch.</summary>
    [Id(12)] public long? Seed { get; init; }

    /// <summary>Stop strings; the text ends before the first one and never shows it.</summary>
    [Id(13)] public string[] Stop { get; init; } = [];

    /// <summary>Report each chosen token's log-probability.</summary>
    [Id(14)] public bool Logprobs { get; init; }

    /// <summary>With <see cref="Logprobs"/>, that many most likely alternatives per position, 0 to 20.</summary>
    [Id(15)] public int TopLogprobs { get; init; }

    /// <summary>Keep going past end-of-sequence tokens (benchmarks).</summary>
    [Id(16)] public bool IgnoreEos { get; init; }

    /// <summary>
    /// For a pipeline model that streams its answer from tensors rather than a prompt (Whisper: the audio file and the
    /// transcription's parameters), its V2 request; the chunks then carry the answer's text as it is produced. Null for
    /// text generation.
    /// </summary>
    [Id(17)] public Contracts.InferenceRequest? Inputs { get; init; }

    /// <summary>
    /// vLLM's <c>priority</c>: lower is served first; any integer, default 0. Waiting sequences are admitted in priority
    /// order, first come, first served within one. (Not Triton's levels, where 1 is the highest and 0 the default.)
    /// </summary>
    [Id(18)] public int Priority { get; init; }

    /// <summary>
    /// When the client stops waiting for the whole stream, on the UTC wall clock (its gRPC deadline, or REST's
    /// <c>x-request-deadline-ms</c>); null for none. Once it passes the stream ends with <c>DeadlineExceeded</c> and the
    /// sequence leaves its engine at the next step, never started if it was still waiting.
    /// </summary>
    [Id(19)] public DateTimeOffset? Deadline { get; init; }
}
