namespace GrainServe.Quotas;

/// <summary>
/// One API key's buckets, one per quota, created full on first use. The arithmetic is <see cref="TokenBucket"/>'s; the
/// grain only keeps the buckets and the clock. State is in memory: a grain that moves (its silo left) starts full again,
/// which lets a key over its rate for at most one bucket, a trade for no storage write per lease.
/// </summary>
internal sealed class QuotaGrain(TimeProvider time) : Grain, IQuotaGrain
{
    private readonly Dictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    public Task<QuotaGrant> Lease(QuotaLeaseRequest request)
    {
        var now = time.GetUtcNow();
        if (!_buckets.TryGetValue(request.Quota, out var bucket))
        {
            bucket = new TokenBucket(request.Capacity, request.RefillPerSecond, now);
            _buckets[request.Quota] = bucket;
        }
        else if (bucket.Capacity != request.Capacity || bucket.RefillPerSecond != request.RefillPerSecond)
        {
            bucket.Configure(request.Capacity, request.RefillPerSecond, now);
        }

        bucket.Return(request.Returned, now);
        return Task.FromResult(bucket.Lease(request.Need, Math.Max(request.Ask, request.Need), now));
    }
}
