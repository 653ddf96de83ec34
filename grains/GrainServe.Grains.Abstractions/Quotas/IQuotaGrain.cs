namespace GrainServe.Quotas;

/// <summary>
/// The cluster's token buckets of one API key, one bucket per quota (<see cref="QuotaNames"/>). Keyed by the key's
/// name (never the key). Gateways do not call it per request: they lease a batch of tokens and spend it locally.
/// </summary>
public interface IQuotaGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes back what the caller returns, then grants between <see cref="QuotaLeaseRequest.Need"/> and
    /// <see cref="QuotaLeaseRequest.Ask"/> tokens, or none with the wait until the need could be met.
    /// </summary>
    Task<QuotaGrant> Lease(QuotaLeaseRequest request);
}
