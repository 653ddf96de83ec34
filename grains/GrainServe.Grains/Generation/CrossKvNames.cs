namespace GrainServe.Generation;

/// <summary>
/// The graph names of one decoder layer's cross-attention keys and values: the encoder's output projected once per
/// input (onnxruntime-genai's <c>past_key_cross_{i}</c>, Optimum's <c>past_key_values.{i}.encoder.key</c>), fed
/// unchanged at every step.
/// </summary>
/// <param name="Key">The cross-attention key input, <c>[batch, heads, encoder_positions, head_size]</c>.</param>
/// <param name="Value">The cross-attention value input, same shape.</param>
public sealed record CrossKvNames(string Key, string Value);
