namespace GrainServe.Quotas;

/// <summary>A quota as a bucket: its size (the burst) and its refill rate.</summary>
public readonly record struct QuotaLimit(double Capacity, double RefillPerSecond)
{
    /// <summary>
    /// <paramref name="perSecond"/> a second, with a burst of one second's worth (at least one token, so a rate under one a
    /// second still lets one request through now and then).
    /// </summary>
    public static QuotaLimit PerSecond(double perSecond) => new(Math.Max(perSecond, 1), perSecond);

    /// <summary><paramref name="perMinute"/> a minute, with a burst of one minute's worth.</summary>
    public static QuotaLimit PerMinute(double perMinute) => new(perMinute, perMinute / 60);
}
