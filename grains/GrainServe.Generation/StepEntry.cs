namespace GrainServe.Generation;

/// <summary>One sequence's share of a step: the tokens to feed and where they start.</summary>
/// <param name="SequenceId">The engine's id of the sequence; the step model keys its cache by it.</param>
/// <param name="Tokens">The tokens to compute this step: a prefill chunk, or the one token sampled last step.</param>
/// <param name="Start">The position of the first token: how many tokens of this sequence are already in its cache.</param>
/// <param name="NeedsLogits">Whether the engine samples after this entry (the last chunk of a prefill, or a decode).</param>
/// <param name="Conditioning">The sequence's <see cref="GenerationRequest.Conditioning"/>, or null.</param>
/// <param name="Outputs">The sequence's <see cref="GenerationRequest.StepOutputs"/>, or null: where the step model puts its extra outputs for this entry.</param>
public readonly record struct StepEntry(long SequenceId, ReadOnlyMemory<int> Tokens, int Start, bool NeedsLogits, object? Conditioning = null, IStepOutputSink? Outputs = null);
