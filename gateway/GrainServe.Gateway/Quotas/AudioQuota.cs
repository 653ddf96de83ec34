using System.Runtime.CompilerServices;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.Auth;
using GrainServe.Generation;
using GrainServe.Quotas;

namespace GrainServe.Gateway.Quotas;

/// <summary>
/// A speech request under an audio-seconds-per-minute quota, for every protocol at once (OpenAI's audio routes, V2 infer,
/// the streaming path): reserve one second before anything runs, refuse with 429 and <c>Retry-After</c> when the bucket
/// cannot cover it, and settle with the seconds the device reports (<see cref="InferenceResponse.AudioSeconds"/>, or the
/// stream's <see cref="GenerateChunk.AudioSeconds"/> summed) once the answer is in.
/// </summary>
internal static class AudioQuota
{
    public static async Task<InferenceResult> InferAsync(QuotaGate gate, ApiKeyIdentity identity, HttpContext context, Func<Task<InferenceResult>> infer, CancellationToken cancellationToken)
    {
        var (decision, reserved) = await gate.ReserveAudioAsync(identity, cancellationToken);
        if (!decision.Allowed)
        {
            QuotaGate.SetRetryAfter(context, decision);
            return InferenceResult.Failure(InferenceErrorCode.QuotaExceeded, QuotaGate.Refusal(identity.Name, QuotaNames.AudioSecondsPerMinute, decision.RetryAfter));
        }

        double used = 0;
        try
        {
            var result = await infer();
            used = result.Response?.AudioSeconds ?? 0;
            return result;
        }
        finally
        {
            gate.SettleAudio(identity, reserved, used);
        }
    }

    public static async IAsyncEnumerable<GenerateChunk> GenerateAsync(QuotaGate gate, ApiKeyIdentity identity, HttpContext context, IAsyncEnumerable<GenerateChunk> stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (decision, reserved) = await gate.ReserveAudioAsync(identity, cancellationToken);
        if (!decision.Allowed)
        {
            QuotaGate.SetRetryAfter(context, decision);
            yield return GenerateChunk.Failure(InferenceErrorCode.QuotaExceeded, QuotaGate.Refusal(identity.Name, QuotaNames.AudioSecondsPerMinute, decision.RetryAfter));
            yield break;
        }

        // A stream cut short is charged the audio it got to.
        double used = 0;
        try
        {
            await foreach (var chunk in stream.WithCancellation(cancellationToken))
            {
                used += chunk.AudioSeconds;
                yield return chunk;
            }
        }
        finally
        {
            gate.SettleAudio(identity, reserved, used);
        }
    }
}
