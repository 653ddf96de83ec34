namespace GrainServe.Quotas;

/// <summary>
/// A gateway's request for tokens of one quota. The limit travels with each request because every gateway reads the same
/// keys file: the bucket takes the latest, so a changed quota applies at the next lease.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.QuotaLeaseRequest")]
public sealed record QuotaLeaseRequest
{
    /// <summary>The quota, one of <see cref="QuotaNames"/>.</summary>
    [Id(0)] public string Quota { get; init; } = "";

    /// <summary>The bucket's size in tokens: the most that can be spent in a burst.</summary>
    [Id(1)] public double Capacity { get; init; }

    /// <summary>Tokens added to the bucket per second, up to <see cref="Capacity"/>.</summary>
    [Id(2)] public double RefillPerSecond { get; init; }

    /// <summary>Tokens the caller needs now (its request, plus any debt): fewer are never granted.</summary>
    [Id(3)] public double Need { get; init; }

    /// <summary>Tokens the caller would like, to spend locally before it asks again; at least <see cref="Need"/>.</summary>
    [Id(4)] public double Ask { get; init; }

    /// <summary>Unspent tokens of the caller's previous lease, which it gives back (it spends them no more).</summary>
    [Id(5)] public double Returned { get; init; }
}
