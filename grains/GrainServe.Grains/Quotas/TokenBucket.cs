namespace GrainServe.Quotas;

/// <summary>
/// A token bucket that hands out leases: it starts full, refills at a steady rate up to its capacity, and gives a
/// caller a batch of tokens at once (taken from the bucket as it is granted, so the sum that every lessee can spend is
/// never more than the bucket held plus what it refilled). Unspent tokens come back through <see cref="Return"/>.
/// Pure: time comes in as an argument.
/// </summary>
public sealed class TokenBucket
{
    private double _tokens;
    private DateTimeOffset _refilled;

    /// <summary>A full bucket of <paramref name="capacity"/> tokens, refilling <paramref name="refillPerSecond"/> a second.</summary>
    public TokenBucket(double capacity, double refillPerSecond, DateTimeOffset now)
    {
        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
        _tokens = capacity;
        _refilled = now;
    }

    /// <summary>The most tokens the bucket holds.</summary>
    public double Capacity { get; private set; }

    /// <summary>Tokens added per second.</summary>
    public double RefillPerSecond { get; private set; }

    /// <summary>Tokens in the bucket at <paramref name="now"/>.</summary>
    public double Available(DateTimeOffset now)
    {
        Refill(now);
        return _tokens;
    }

    /// <summary>Takes a new limit (the keys file changed); what the bucket holds is cut to the new capacity.</summary>
    public void Configure(double capacity, double refillPerSecond, DateTimeOffset now)
    {
        Refill(now);
        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
        _tokens = Math.Min(_tokens, capacity);
    }

    /// <summary>
    /// Grants up to <paramref name="ask"/> tokens, never fewer than <paramref name="need"/>: when the bucket holds less than
    /// the need, nothing, with the time until it would hold it (a need over the capacity waits a whole bucket's refill:
    /// it can never be met, and the caller says so).
    /// </summary>
    public QuotaGrant Lease(double need, double ask, DateTimeOffset now)
    {
        Refill(now);
        if (_tokens >= need)
        {
            var granted = Math.Max(need, Math.Min(ask, _tokens));
            _tokens -= granted;
            return new QuotaGrant { Granted = granted };
        }

        var missing = need > Capacity ? Capacity : need - _tokens;
        var wait = RefillPerSecond > 0 ? TimeSpan.FromSeconds(missing / RefillPerSecond) : TimeSpan.MaxValue;
        return new QuotaGrant { RetryAfter = wait };
    }

    /// <summary>Puts back tokens a lessee did not spend, up to the capacity.</summary>
    public void Return(double tokens, DateTimeOffset now)
    {
        Refill(now);
        _tokens = Math.Min(Capacity, _tokens + Math.Max(tokens, 0));
    }

    private void Refill(DateTimeOffset now)
    {
        var elapsed = (now - _refilled).TotalSeconds;
        if (elapsed > 0)
        {
            _tokens = Math.Min(Capacity, _tokens + (elapsed * RefillPerSecond));
            _refilled = now;
        }
    }
}
