using System.Text;
using GrainServe.Monitoring;
using GrainServe.Routing;

namespace GrainServe.Gateway.Hosting;

/// <summary>
/// <c>grainserve_version_weight{model,version}</c>: the traffic weights in force in this gateway's routing tables, for
/// the models it has routed (a model with no split has no series). Every gateway reports the weights it routes by, so
/// aggregate with <c>max by (model, version)</c>, not a sum; a gateway still on an old table shows it here.
/// </summary>
internal static class VersionWeightGauges
{
    public static void Write(StringBuilder text, ModelRouter router, string silo)
    {
        var weighted = router.CachedTables()
            .SelectMany(t => t.Versions.Where(v => v.Weight is not null).Select(v => (t.Model, v.Version, Weight: v.Weight!.Value)))
            .OrderBy(v => v.Model, StringComparer.Ordinal).ThenBy(v => v.Version, StringComparer.Ordinal)
            .ToList();
        if (weighted.Count == 0)
        {
            return;
        }

        PrometheusText.Family(text, "grainserve_version_weight", "gauge", "The traffic weight of each version in this gateway's routing table (proportional to its siblings').");
        foreach (var (model, version, weight) in weighted)
        {
            PrometheusText.Sample(text, "grainserve_version_weight", $"{PrometheusText.Label("model", model)},{PrometheusText.Label("version", version)},{PrometheusText.Label("silo", silo)}", weight);
        }
    }
}
