namespace GrainServe.Generation;

/// <summary>
/// What one step added to a sequence: the new tokens and the new text that is safe to show (never half a UTF-8
/// character, never a part of a possible stop string). The last update of a sequence carries its <see cref="Finish"/>.
/// </summary>
public sealed record GenerationUpdate
{
    /// <summary>Tokens generated since the previous update (usually one; none in a final update after a cancel).</summary>
    public IReadOnlyList<int> TokenIds { get; init; } = [];

    /// <summary>Text released since the previous update; may be empty while text is held back.</summary>
    public string Text { get; init; } = "";

    /// <summary>Per token of <see cref="TokenIds"/>, when <see cref="SamplingParameters.Logprobs"/> is set; else null.</summary>
    public IReadOnlyList<GeneratedToken>? Logprobs { get; init; }

    /// <summary>
    /// Per token of <see cref="TokenIds"/>, the step model's hidden state at the position whose logits chose it, when
    /// the step model gives hidden states (<see cref="StepLogits.HiddenSize"/> above 0); else null. XTTS's vocoder
    /// speaks these, not the tokens.
    /// </summary>
    public IReadOnlyList<float[]>? HiddenStates { get; init; }

    /// <summary>Set on the last update only.</summary>
    public FinishReason? Finish { get; init; }

    /// <summary>With <see cref="FinishReason.StopString"/>: the stop string that matched.</summary>
    public string? MatchedStop { get; init; }

    /// <summary>With <see cref="FinishReason.Error"/>: what failed.</summary>
    public string? Error { get; init; }

    /// <summary>Tokens of the prompt.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Tokens generated so far, this update's included.</summary>
    public int CompletionTokens { get; init; }

    /// <summary>
    /// On the update with the first generated token only: how long the sequence waited from its submission until the
    /// scheduler first took it into a step (its queue wait, before prefill); null on every other update.
    /// </summary>
    public TimeSpan? QueueTime { get; init; }
}
