using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using GrainServe.Gateway.Auth;
using GrainServe.Generation;
using GrainServe.Quotas;
using Microsoft.Extensions.Options;

namespace GrainServe.Gateway.Quotas;

/// <summary>
/// The gateway's side of the quotas: one <see cref="QuotaAllowance"/> per key name and quota, leased from the key's
/// <see cref="IQuotaGrain"/>, so a request costs a remote call only when this gateway's lease runs low. Limits are read
/// from the request's identity each time, so a reloaded keys file applies at once. Counts every outcome in
/// <see cref="QuotaMetrics"/>.
/// </summary>
internal sealed partial class QuotaGate(IGrainFactory grains, IOptions<AuthOptions> options, TimeProvider time, QuotaMetrics metrics, ILogger<QuotaGate> logger)
{
    private readonly ConcurrentDictionary<(string Key, string Quota), (QuotaAllowance Allowance, QuotaLimit Limit)> _allowances = new();

    /// <summary>One request of the key against its requests-per-second quota; allowed when it has none.</summary>
    public async Task<QuotaDecision> AdmitAsync(ApiKeyIdentity identity, CancellationToken cancellationToken)
    {
        if (identity.Quota?.RequestsPerSecond is not { } perSecond)
        {
            return QuotaDecision.Allow;
        }

        var decision = await TakeAsync(identity.Name, QuotaNames.RequestsPerSecond, QuotaLimit.PerSecond(perSecond), 1, cancellationToken);
        if (decision.Allowed)
        {
            metrics.Used(identity.Name, QuotaNames.RequestsPerSecond, 1);
        }

        return decision;
    }

    /// <summary>
    /// Reserves a generation's tokens (its prompt, estimated, plus <c>max_tokens</c>) against the key's tokens-per-minute
    /// quota: the number reserved, 0 when the key has no such quota, or the refusal.
    /// </summary>
    public async Task<(QuotaDecision Decision, double Reserved)> ReserveTokensAsync(ApiKeyIdentity identity, GenerateRequest request, CancellationToken cancellationToken)
    {
        if (identity.Quota?.TokensPerMinute is not { } perMinute)
        {
            return (QuotaDecision.Allow, 0);
        }

        var reserved = EstimateTokens(request);
        return (await TakeAsync(identity.Name, QuotaNames.TokensPerMinute, QuotaLimit.PerMinute(perMinute), reserved, cancellationToken), reserved);
    }

    /// <summary>Settles a reservation with the tokens the generation really used (prompt plus completion), and counts them.</summary>
    public void SettleTokens(ApiKeyIdentity identity, double reserved, double used)
    {
        if (_allowances.TryGetValue((identity.Name, QuotaNames.TokensPerMinute), out var entry))
        {
            entry.Allowance.Settle(reserved - used);
            metrics.Used(identity.Name, QuotaNames.TokensPerMinute, used);
        }
    }

    /// <summary>
    /// Reserves a speech request's audio against the key's audio-seconds quota before it runs: one second, since the
    /// length is known only once the device has the audio. The number reserved, 0 when the key has no such quota, or the
    /// refusal (also when the key is still paying back an earlier request's overshoot).
    /// </summary>
    public async Task<(QuotaDecision Decision, double Reserved)> ReserveAudioAsync(ApiKeyIdentity identity, CancellationToken cancellationToken)
    {
        if (identity.Quota?.AudioSecondsPerMinute is not { } perMinute)
        {
            return (QuotaDecision.Allow, 0);
        }

        const double reserved = 1;
        return (await TakeAsync(identity.Name, QuotaNames.AudioSecondsPerMinute, QuotaLimit.PerMinute(perMinute), reserved, cancellationToken), reserved);
    }

    /// <summary>Settles an audio reservation with the seconds the device reported, and counts them.</summary>
    public void SettleAudio(ApiKeyIdentity identity, double reserved, double used)
    {
        if (_allowances.TryGetValue((identity.Name, QuotaNames.AudioSecondsPerMinute), out var entry))
        {
            entry.Allowance.Settle(reserved - used);
            metrics.Used(identity.Name, QuotaNames.AudioSecondsPerMinute, used);
        }
    }

    /// <summary>Gives every expired lease's unspent tokens back, so an idle gateway holds none of the cluster's quota.</summary>
    public async Task ReturnExpiredAsync()
    {
        foreach (var (allowance, limit) in _allowances.Values)
        {
            await allowance.ReturnExpiredAsync(limit);
        }
    }

    /// <summary>The text of a refusal, naming the key and quota (never the key itself).</summary>
    public static string Refusal(string keyName, string quota, TimeSpan retryAfter) =>
        $"the API key '{keyName}' is over its {quota.Replace('_', ' ')} quota; retry after {RetryAfterSeconds(retryAfter)} s";

    /// <summary><c>Retry-After</c>'s whole seconds: rounded up, at least 1.</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (long)Math.Ceiling(Math.Min(wait.TotalSeconds, int.MaxValue))).ToString(CultureInfo.InvariantCulture);

    /// <summary>Puts a refusal's wait in REST's <c>Retry-After</c>; a gRPC call's status has no headers of its own to set here.</summary>
    public static void SetRetryAfter(HttpContext context, QuotaDecision decision)
    {
        if (!context.Response.HasStarted && context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds(decision.RetryAfter);
        }
    }

    // The prompt's UTF-8 bytes bound its tokens for byte-level tokenizers from above; a chat turn adds its template's few.
    internal static double EstimateTokens(GenerateRequest request)
    {
        var prompt = (request.Prompt is { } text ? Encoding.UTF8.GetByteCount(text) : 0)
            + (request.PromptTokenIds?.Length ?? 0)
            + (request.Messages?.Sum(m => Encoding.UTF8.GetByteCount(m.Content) + 8) ?? 0);
        return prompt + (request.MaxTokens ?? 0);
    }

    private async Task<QuotaDecision> TakeAsync(string key, string quota, QuotaLimit limit, double amount, CancellationToken cancellationToken)
    {
        var entry = _allowances.AddOrUpdate(
            (key, quota),
            _ => (new QuotaAllowance(quota, r => grains.GetGrain<IQuotaGrain>(key).Lease(r), time, options.Value.QuotaLeaseFraction, options.Value.QuotaLeaseLifetime), limit),
            (_, existing) => existing with { Limit = limit });
        var decision = await entry.Allowance.TakeAsync(amount, limit, cancellationToken);
        if (!decision.Allowed)
        {
            metrics.Rejected(key, quota);
            LogRefused(logger, key, quota, amount);
        }

        return decision;
    }

    [LoggerMessage(EventId = EventIds.QuotaExceeded, EventName = nameof(EventIds.QuotaExceeded), Level = LogLevel.Debug, Message = "Key {KeyName} refused {Amount} of its {Quota} quota")]
    private static partial void LogRefused(ILogger logger, string keyName, string quota, double amount);
}
