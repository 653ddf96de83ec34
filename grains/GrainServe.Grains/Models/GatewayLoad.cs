namespace GrainServe.Models;

/// <summary>
/// The requests in flight for one model as its gateways report them (each report replaces that gateway's last one), so
/// the model grain sees its load without any request passing through it. A gateway that stopped reporting (it left, or
/// its traffic stopped) counts for nothing after <see cref="ReportLifetime"/>.
/// </summary>
public sealed class GatewayLoad
{
    /// <summary>How long one gateway's report counts: a few of its report periods (half a second each).</summary>
    public static readonly TimeSpan ReportLifetime = TimeSpan.FromSeconds(3);

    private readonly Dictionary<string, (IReadOnlyDictionary<string, int> Ongoing, DateTimeOffset At)> _reports = new(StringComparer.Ordinal);

    /// <summary>Keeps <paramref name="report"/> as its gateway's current figures.</summary>
    public void Record(RoutingReport report, DateTimeOffset now) => _reports[report.Gateway] = (report.Ongoing, now);

    /// <summary>The requests in flight on <paramref name="version"/> across every gateway whose report is recent.</summary>
    public int Ongoing(string version, DateTimeOffset now)
    {
        var total = 0;
        foreach (var (gateway, report) in _reports.ToList())
        {
            if (now - report.At > ReportLifetime)
            {
                _reports.Remove(gateway);
                continue;
            }

            total += report.Ongoing.GetValueOrDefault(version);
        }

        return total;
    }
}
