namespace GrainServe.Generation;

/// <summary>One extra output of a step for one sequence's entry, as an <see cref="IStepOutputSink"/> receives it.</summary>
/// <param name="Name">The output's name in the step model (<c>output_cross_qk_0</c>, …).</param>
/// <param name="Data">The values, row-major in <paramref name="Shape"/>.</param>
/// <param name="Shape">
/// The entry's slice of the output without the batch axis (for cross-attention weights <c>[heads, tokens, encoder_positions]</c>),
/// its token axis as long as the entry's tokens.
/// </param>
public sealed record StepOutput(string Name, float[] Data, int[] Shape);
