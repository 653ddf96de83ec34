namespace GrainServe.Quotas;

/// <summary>
/// One process's share of one key's quota: tokens leased from the cluster's bucket (<see cref="IQuotaGrain"/>) and spent
/// here without a remote call, until they run out or the lease expires; then one caller leases again (a fraction of the
/// bucket, or what the request needs if more) while the others wait for it. Unspent tokens go back with the next lease,
/// or through <see cref="ReturnExpiredAsync"/> when the process is idle. The balance may go below zero when a request
/// turns out to cost more than it reserved (<see cref="Settle"/>): the next lease pays that debt first.
/// </summary>
public sealed class QuotaAllowance
{
    private readonly string _quota;
    private readonly Func<QuotaLeaseRequest, Task<QuotaGrant>> _lease;
    private readonly TimeProvider _time;
    private readonly double _leaseFraction;
    private readonly TimeSpan _leaseLifetime;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _leasing = new(1, 1);
    private double _tokens;
    private DateTimeOffset _expires;

    /// <summary>
    /// An empty allowance of <paramref name="quota"/>: <paramref name="lease"/> calls the key's quota grain; each lease asks
    /// for <paramref name="leaseFraction"/> of the bucket and is spent for at most <paramref name="leaseLifetime"/>.
    /// </summary>
    public QuotaAllowance(string quota, Func<QuotaLeaseRequest, Task<QuotaGrant>> lease, TimeProvider time, double leaseFraction, TimeSpan leaseLifetime)
    {
        _quota = quota;
        _lease = lease;
        _time = time;
        _leaseFraction = leaseFraction;
        _leaseLifetime = leaseLifetime;
    }

    /// <summary>Tokens this process holds and may still spend (0 once the lease expired); negative while in debt.</summary>
    public double Balance
    {
        get
        {
            lock (_lock)
            {
                return _tokens < 0 || _time.GetUtcNow() < _expires ? _tokens : 0;
            }
        }
    }

    /// <summary>Spends <paramref name="amount"/> tokens of <paramref name="limit"/>, leasing more when this process holds too few.</summary>
    public async Task<QuotaDecision> TakeAsync(double amount, QuotaLimit limit, CancellationToken cancellationToken = default)
    {
        if (TryTakeHere(amount))
        {
            return QuotaDecision.Allow;
        }

        await _leasing.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have leased while this one waited.
            if (TryTakeHere(amount))
            {
                return QuotaDecision.Allow;
            }

            double returned;
            double debt;
            lock (_lock)
            {
                returned = Math.Max(_tokens, 0);
                debt = Math.Max(-_tokens, 0);
                _tokens = -debt;
            }

            var need = amount + debt;
            QuotaGrant grant;
            try
            {
                grant = await _lease(new QuotaLeaseRequest
                {
                    Quota = _quota,
                    Capacity = limit.Capacity,
                    RefillPerSecond = limit.RefillPerSecond,
                    Need = need,
                    Ask = Math.Max(need, limit.Capacity * _leaseFraction),
                    Returned = returned,
                });
            }
            catch
            {
                // The tokens never reached the bucket: they are still this process's to spend.
                Settle(returned);
                throw;
            }

            if (grant.Granted <= 0)
            {
                return QuotaDecision.Refuse(grant.RetryAfter);
            }

            lock (_lock)
            {
                _tokens += grant.Granted - amount;
                _expires = _time.GetUtcNow() + _leaseLifetime;
            }

            return QuotaDecision.Allow;
        }
        finally
        {
            _leasing.Release();
        }
    }

    /// <summary>
    /// Corrects a reservation once its real cost is known: positive gives back what was reserved and not used, negative
    /// charges what was used beyond it (never refused: the work is done; the balance goes into debt instead).
    /// </summary>
    public void Settle(double tokens)
    {
        lock (_lock)
        {
            _tokens += tokens;
        }
    }

    /// <summary>Gives an expired lease's unspent tokens back to the bucket, so an idle process holds none; true when it did.</summary>
    public async Task<bool> ReturnExpiredAsync(QuotaLimit limit)
    {
        if (!await _leasing.WaitAsync(0))
        {
            return false;
        }

        try
        {
            double returned;
            lock (_lock)
            {
                if (_tokens <= 0 || _time.GetUtcNow() < _expires)
                {
                    return false;
                }

                returned = _tokens;
                _tokens = 0;
            }

            await _lease(new QuotaLeaseRequest { Quota = _quota, Capacity = limit.Capacity, RefillPerSecond = limit.RefillPerSecond, Returned = returned });
            return true;
        }
        finally
        {
            _leasing.Release();
        }
    }

    private bool TryTakeHere(double amount)
    {
        lock (_lock)
        {
            if (_tokens >= amount && _time.GetUtcNow() < _expires)
            {
                _tokens -= amount;
                return true;
            }

            return false;
        }
    }
}
