namespace GrainServe.Generation;

/// <summary>One generated token, with its log-probability and, when asked for, the most likely alternatives.</summary>
/// <param name="Token">The chosen token.</param>
/// <param name="Top">The <see cref="SamplingParameters.TopLogprobs"/> most likely tokens at that position, most likely first; empty when not asked for.</param>
public sealed record GeneratedToken(TokenLogprob Token, IReadOnlyList<TokenLogprob> Top);
