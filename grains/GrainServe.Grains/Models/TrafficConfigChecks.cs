using System.Globalization;

namespace GrainServe.Models;

/// <summary>
/// The checks of a <see cref="TrafficConfig"/> that need the repository's versions, which
/// <see cref="ModelConfigValidator"/> does not see: it reads the config alone, before the version folders are listed.
/// </summary>
public static class TrafficConfigChecks
{
    /// <summary>
    /// One problem for each version that <paramref name="traffic"/> names (in weights, the mirror or the baseline) and
    /// <paramref name="versions"/> (the version folders found) lacks; empty when all are there. Names that are not
    /// version numbers are <see cref="ModelConfigValidator"/>'s to report and are skipped here.
    /// </summary>
    public static List<string> UnknownVersions(TrafficConfig traffic, IReadOnlyCollection<long> versions)
    {
        var problems = new List<string>();
        var held = versions.Count == 0 ? "none" : string.Join(", ", versions.Order().Select(v => v.ToString(CultureInfo.InvariantCulture)));
        var named = new List<(string Field, string? Version)>();
        named.AddRange((traffic.Weights?.Keys ?? Enumerable.Empty<string>()).Select(v => ("traffic.weights", (string?)v)));
        named.Add(("traffic.mirror.version", traffic.Mirror?.Version));
        named.Add(("traffic.auto_rollback.baseline", traffic.AutoRollback?.Baseline));
        // The baseline is also a weighted version: a missing one is reported once, where it is first named.
        var reported = new HashSet<long>();
        foreach (var (field, version) in named)
        {
            if (long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 && !versions.Contains(number) && reported.Add(number))
            {
                problems.Add($"{field} names version {version}, which the repository does not hold (it has {held}); add the version folder or remove it from the config");
            }
        }

        return problems;
    }
}
