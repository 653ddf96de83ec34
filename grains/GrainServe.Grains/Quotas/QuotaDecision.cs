namespace GrainServe.Quotas;

/// <summary>Whether a request may go on under a quota, and when refused, how long until it could.</summary>
public readonly record struct QuotaDecision(bool Allowed, TimeSpan RetryAfter)
{
    /// <summary>Go on.</summary>
    public static QuotaDecision Allow { get; } = new(true, TimeSpan.Zero);

    /// <summary>Refused; retry after <paramref name="retryAfter"/>.</summary>
    public static QuotaDecision Refuse(TimeSpan retryAfter) => new(false, retryAfter);
}
