namespace GrainServe.Generation;

/// <summary>A token with its log-probability under the model's distribution at that position.</summary>
/// <param name="TokenId">The token.</param>
/// <param name="Text">The token's own text (may be part of a UTF-8 character, then with U+FFFD).</param>
/// <param name="Logprob">Natural log of its probability (log-softmax of the raw logits).</param>
public readonly record struct TokenLogprob(int TokenId, string Text, float Logprob);
