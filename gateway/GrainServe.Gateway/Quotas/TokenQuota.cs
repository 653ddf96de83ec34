using System.Runtime.CompilerServices;
using GrainServe.Errors;
using GrainServe.Gateway.Auth;
using GrainServe.Generation;
using GrainServe.Quotas;

namespace GrainServe.Gateway.Quotas;

/// <summary>
/// A generation under a tokens-per-minute quota, for every protocol at once (REST generate, OpenAI, gRPC all stream
/// through the data plane): reserve the prompt's estimate plus <c>max_tokens</c> before anything runs, refuse with the
/// protocol's first-chunk error when the bucket cannot cover it, and settle with the real usage when the stream ends.
/// </summary>
internal static class TokenQuota
{
    public static async IAsyncEnumerable<GenerateChunk> GenerateAsync(QuotaGate gate, ApiKeyIdentity identity, HttpContext context, GenerateRequest request, IAsyncEnumerable<GenerateChunk> generation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (decision, reserved) = await gate.ReserveTokensAsync(identity, request, cancellationToken);
        if (!decision.Allowed)
        {
            QuotaGate.SetRetryAfter(context, decision);

            yield return GenerateChunk.Failure(InferenceErrorCode.QuotaExceeded, QuotaGate.Refusal(identity.Name, QuotaNames.TokensPerMinute, decision.RetryAfter));
            yield break;
        }

        // Chunks count the completion so far; a stream cut short is charged what it produced.
        double used = 0;
        try
        {
            await foreach (var chunk in generation.WithCancellation(cancellationToken))
            {
                used = Math.Max(used, chunk.PromptTokens + chunk.CompletionTokens);
                yield return chunk;
            }
        }
        finally
        {
            gate.SettleTokens(identity, reserved, used);
        }
    }
}
