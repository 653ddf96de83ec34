namespace GrainServe.Generation;

/// <summary>A sequence to generate: its prompt as token ids, how to sample, and which tokens end it.</summary>
/// <param name="PromptTokens">The prompt, already tokenized (and chat-templated); at least one token.</param>
/// <param name="Sampling">Sampling and stop rules.</param>
/// <param name="StopTokenIds">End-of-sequence tokens (the tokenizer's EOS, a chat template's end-of-turn).</param>
public sealed record GenerationRequest(int[] PromptTokens, SamplingParameters Sampling, IReadOnlyList<int> StopTokenIds);
