namespace GrainServe.Quotas;

/// <summary>What a lease got: tokens (0 when refused), and when refused, how long until the need could be met.</summary>
[GenerateSerializer, Immutable, Alias("GrainServe.QuotaGrant")]
public sealed record QuotaGrant
{
    /// <summary>Tokens granted, now taken from the bucket; 0 when the bucket could not cover the need.</summary>
    [Id(0)] public double Granted { get; init; }

    /// <summary>When refused, the wait until the bucket refills to the need (assuming no one else spends); else zero.</summary>
    [Id(1)] public TimeSpan RetryAfter { get; init; }
}
