namespace GrainServe.Generation;

/// <summary>
/// Receives what a step model computes for one sequence beyond its logits (an encoder-decoder's cross-attention
/// weights, which Whisper aligns words with), step by step. Set as <see cref="GenerationRequest.StepOutputs"/>; the
/// engine only hands it to the step model with every <see cref="StepEntry"/>, and a step model that has no such
/// outputs never calls it. Called on the engine's loop thread, after the step ran, never for a failed step.
/// </summary>
/// <remarks>
/// A preempted sequence is recomputed from its first token, so the same positions can arrive twice: keep outputs by
/// position (<c>start + i</c>), not by arrival. The step model calls it after the step's caches moved on, so it must
/// not throw: an exception would fail every sequence of the step.
/// </remarks>
public interface IStepOutputSink
{
    /// <summary>The outputs for the sequence's tokens <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1.</summary>
    /// <param name="start">The position of the first token the outputs are for (the entry's <see cref="StepEntry.Start"/>).</param>
    /// <param name="count">The tokens the entry fed.</param>
    /// <param name="outputs">One tensor per extra output of the step model, each with the tokens on its own axis; valid only during the call.</param>
    void Receive(int start, int count, IReadOnlyList<StepOutput> outputs);
}
