using System.Globalization;
using GrainServe.Errors;
using GrainServe.Models;

namespace GrainServe.Routing;

/// <summary>Which version of a routing table serves a request, or why none can.</summary>
internal static class VersionChoice
{
    /// <summary>
    /// A request naming a version gets that version when it is served and ready (pinned: weights do not apply). One naming
    /// none goes by the traffic split when the model has one (by <paramref name="stickyKey"/>'s hash when the request
    /// carries the sticky header, else at random by weight), and otherwise, or when no weighted version is ready, to the
    /// newest ready version.
    /// </summary>
    public static (RoutedVersion? Version, InferenceError? Error) Select(RoutingTable table, string? requested, VersionSelector? selector = null, string? stickyKey = null)
    {
        if (requested is not null)
        {
            if (!long.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || !table.KnownVersions.Contains(number))
            {
                return (null, new InferenceError(InferenceErrorCode.ModelNotFound, $"model '{table.Model}' has no version {requested}"));
            }

            var version = Array.Find(table.Versions, v => v.Version == requested);
            if (version is null)
            {
                return (null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{table.Model}' version {requested} is not served: the model's version policy does not name it"));
            }

            return IsServing(version)
                ? (version, null)
                : (null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{table.Model}' version {requested} is not ready: {version.Reason ?? version.State.ToString()}"));
        }

        if (selector is not null)
        {
            // A split never falls back to a version at weight 0 (it may be a rolled-back canary): with no weighted
            // version ready, the model is not ready until one is.
            var weighted = stickyKey is not null ? selector.PickSticky(stickyKey) : selector.Pick();
            return Array.Find(table.Versions, v => v.Version == weighted) is { } split
                ? (split, null)
                : (null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{table.Model}' is not ready: no version with a traffic weight above 0 is ready ({Reasons(table.Versions.Where(v => v.Weight > 0))})"));
        }

        if (Array.Find(table.Versions, IsServing) is { } newest)
        {
            return (newest, null);
        }

        var reason = table.Versions.Select(v => v.Reason).FirstOrDefault(r => r is not null) ?? "it is loading";
        return (null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{table.Model}' is not ready: {reason}"));
    }

    /// <summary>
    /// The version a not-ready answer is about, for the model grain to place again: the one named, else the weighted
    /// version with the most weight that is not ready, else the newest served one.
    /// </summary>
    public static string? NotReadyVersion(RoutingTable table, string? requested) =>
        requested is not null
            ? Array.Find(table.Versions, v => v.Version == requested)?.Version
            : table.Versions.Where(v => v.Weight > 0 && !IsServing(v)).OrderByDescending(v => v.Weight).FirstOrDefault()?.Version
                ?? table.Versions.FirstOrDefault()?.Version;

    private static string Reasons(IEnumerable<RoutedVersion> versions) =>
        string.Join("; ", versions.Select(v => $"version {v.Version}: {v.Reason ?? v.State.ToString()}"));

    /// <summary>Whether requests can go to the version now: it is ready and has an instance. (Versions in a table are newest first.)</summary>
    public static bool IsRoutable(RoutedVersion version) => version.State == ModelReadyState.Ready && version.Instances.Length > 0;

    /// <summary>
    /// Whether the version takes requests: routable, or ready at zero instances because it scales from zero (a request
    /// for it loads an instance and waits, a cold start).
    /// </summary>
    public static bool IsServing(RoutedVersion version) => IsRoutable(version) || (version.State == ModelReadyState.Ready && version.ScalesFromZero);
}
