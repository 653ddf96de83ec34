using Microsoft.Extensions.Time.Testing;

namespace GrainServe.Quotas;

/// <summary>The lessee side against an in-memory bucket (what the grain does, without Orleans), on a fake clock.</summary>
public sealed class QuotaAllowanceTests
{
    private static readonly QuotaLimit TenPerSecond = QuotaLimit.PerSecond(10);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TokenBucket _bucket;
    private int _leases;

    public QuotaAllowanceTests() => _bucket = new TokenBucket(TenPerSecond.Capacity, TenPerSecond.RefillPerSecond, _clock.GetUtcNow());

    private QuotaAllowance Gateway(double fraction = 0.2, double lifetimeSeconds = 1) =>
        new(QuotaNames.RequestsPerSecond, Lease, _clock, fraction, TimeSpan.FromSeconds(lifetimeSeconds));

    private QuotaAllowance Over(TokenBucket bucket, double fraction, TimeSpan lifetime) =>
        new(QuotaNames.TokensPerMinute, r =>
        {
            bucket.Return(r.Returned, _clock.GetUtcNow());
            return Task.FromResult(bucket.Lease(r.Need, Math.Max(r.Ask, r.Need), _clock.GetUtcNow()));
        }, _clock, fraction, lifetime);

    // What QuotaGrain does with a request.
    private Task<QuotaGrant> Lease(QuotaLeaseRequest request)
    {
        _leases++;
        _bucket.Return(request.Returned, _clock.GetUtcNow());
        return Task.FromResult(_bucket.Lease(request.Need, Math.Max(request.Ask, request.Need), _clock.GetUtcNow()));
    }

    [Fact]
    public async Task TakeAsync_WithinALease_SpendsLocallyWithoutAskingAgain()
    {
        var gateway = Gateway(fraction: 0.5);

        for (var i = 0; i < 5; i++)
        {
            Assert.True((await gateway.TakeAsync(1, TenPerSecond)).Allowed);
        }

        Assert.Equal(1, _leases);
        Assert.Equal(5, _bucket.Available(_clock.GetUtcNow()));
    }

    [Fact]
    public async Task TakeAsync_BucketEmpty_RefusesWithTheRefillTime()
    {
        var gateway = Gateway(fraction: 1);
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await gateway.TakeAsync(1, TenPerSecond)).Allowed);
        }

        var refused = await gateway.TakeAsync(1, TenPerSecond);

        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(0.1), refused.RetryAfter);
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True((await gateway.TakeAsync(1, TenPerSecond)).Allowed);
    }

    [Fact]
    public async Task TakeAsync_LeaseExpired_ReturnsTheUnspentTokensWithTheNextLease()
    {
        var gateway = Gateway(fraction: 0.5);
        await gateway.TakeAsync(1, TenPerSecond);
        Assert.Equal(4, gateway.Balance);

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, gateway.Balance);
        await gateway.TakeAsync(1, TenPerSecond);

        // Full again (10, the refill capped), the 4 unspent returned and capped, then a new lease of 5 taken out.
        Assert.Equal(5, _bucket.Available(_clock.GetUtcNow()));
        Assert.Equal(4, gateway.Balance);
    }

    [Fact]
    public async Task ReturnExpiredAsync_IdleGateway_GivesItsTokensBack()
    {
        var limit = new QuotaLimit(10, 1);
        var bucket = new TokenBucket(limit.Capacity, limit.RefillPerSecond, _clock.GetUtcNow());
        var gateway = Over(bucket, fraction: 1, lifetime: TimeSpan.FromSeconds(0.4));
        await gateway.TakeAsync(1, limit);
        Assert.False(await gateway.ReturnExpiredAsync(limit));

        _clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.True(await gateway.ReturnExpiredAsync(limit));

        // The 9 unspent came back beside the half token refilled.
        Assert.Equal(9.5, bucket.Available(_clock.GetUtcNow()), 6);
        Assert.Equal(0, gateway.Balance);
    }

    [Fact]
    public async Task Settle_UsedMoreThanReserved_TheNextLeasePaysTheDebt()
    {
        var limit = QuotaLimit.PerMinute(600);
        var bucket = new TokenBucket(limit.Capacity, limit.RefillPerSecond, _clock.GetUtcNow());
        var gateway = Over(bucket, fraction: 0, lifetime: TimeSpan.FromSeconds(1));

        Assert.True((await gateway.TakeAsync(100, limit)).Allowed);
        gateway.Settle(-50);
        Assert.Equal(-50, gateway.Balance);
        Assert.True((await gateway.TakeAsync(100, limit)).Allowed);

        Assert.Equal(0, gateway.Balance);
        Assert.Equal(350, bucket.Available(_clock.GetUtcNow()));
    }

    [Fact]
    public async Task TakeAsync_TwoGatewaysOneBucket_NeverSpendMoreThanItHeldPlusItsRefill()
    {
        var started = _clock.GetUtcNow();
        var gateways = new[] { Gateway(fraction: 0.3), Gateway(fraction: 0.3) };
        var spent = 0;
        var random = new Random(15);
        for (var step = 0; step < 2_000; step++)
        {
            if ((await gateways[random.Next(2)].TakeAsync(1, TenPerSecond)).Allowed)
            {
                spent++;
            }

            _clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 20)));
        }

        var elapsed = (_clock.GetUtcNow() - started).TotalSeconds;
        Assert.InRange(spent, 0.8 * 10 * elapsed, TenPerSecond.Capacity + (10 * elapsed));
    }
}
