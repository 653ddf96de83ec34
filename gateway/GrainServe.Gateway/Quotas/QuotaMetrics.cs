using System.Collections.Concurrent;
using System.Text;
using GrainServe.Monitoring;

namespace GrainServe.Gateway.Quotas;

/// <summary>
/// This gateway's quota counters by key name and quota, written on its metrics port as
/// <c>grainserve_quota_used_total</c> (requests let through, tokens spent) and <c>grainserve_quota_rejected_total</c>
/// (requests refused). Key names only: a key itself never reaches this class.
/// </summary>
internal sealed class QuotaMetrics
{
    private readonly ConcurrentDictionary<(string Key, string Quota), Counts> _counts = new();

    public void Used(string key, string quota, double amount)
    {
        var counts = For(key, quota);
        lock (counts)
        {
            counts.Used += amount;
        }
    }

    public void Rejected(string key, string quota) => Interlocked.Increment(ref For(key, quota).Rejected);

    public double UsedOf(string key, string quota) => _counts.TryGetValue((key, quota), out var c) ? Volatile.Read(ref c.Used) : 0;

    public long RejectedOf(string key, string quota) => _counts.TryGetValue((key, quota), out var c) ? Interlocked.Read(ref c.Rejected) : 0;

    public void Write(StringBuilder text)
    {
        var rows = _counts.OrderBy(c => c.Key.Key, StringComparer.Ordinal).ThenBy(c => c.Key.Quota, StringComparer.Ordinal).ToList();
        PrometheusText.Family(text, "grainserve_quota_used_total", "counter", "Quota used on this gateway, by API key name and quota: requests let through, or tokens spent.");
        foreach (var ((key, quota), counts) in rows)
        {
            PrometheusText.Sample(text, "grainserve_quota_used_total", Labels(key, quota), Volatile.Read(ref counts.Used));
        }

        PrometheusText.Family(text, "grainserve_quota_rejected_total", "counter", "Requests this gateway refused with 429 / RESOURCE_EXHAUSTED, by API key name and quota.");
        foreach (var ((key, quota), counts) in rows)
        {
            PrometheusText.Sample(text, "grainserve_quota_rejected_total", Labels(key, quota), Interlocked.Read(ref counts.Rejected));
        }
    }

    private static string Labels(string key, string quota) => $"{PrometheusText.Label("key", key)},{PrometheusText.Label("quota", quota)}";

    private Counts For(string key, string quota) => _counts.GetOrAdd((key, quota), _ => new Counts());

    private sealed class Counts
    {
        public double Used;
        public long Rejected;
    }
}
