using System.Globalization;
using GrainServe.Errors;
using GrainServe.Models;

namespace GrainServe.Routing;

/// <summary>Which version of a routing table serves a request, or why none can.</summary>
internal static class VersionChoice
{
    /// <summary>
    /// A request naming a version gets that version when it is served and ready; one naming none gets the newest ready
    /// version.
    /// </summary>
    public static (RoutedVersion? Version, InferenceError? Error) Select(RoutingTable table, string? requested)
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

            return IsRoutable(version)
                ? (version, null)
                : (null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{table.Model}' version {requested} is not ready: {version.Reason ?? version.State.ToString()}"));
        }

        if (Array.Find(table.Versions, IsRoutable) is { } newest)
        {
            return (newest, null);
        }

        var reason = table.Versions.Select(v => v.Reason).FirstOrDefault(r => r is not null) ?? "it is loading";
        return (null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{table.Model}' is not ready: {reason}"));
    }

    /// <summary>
    /// The version the request would go to when that version is scaled to zero (ready, scales from zero, no instance),
    /// so that the request loads it; null otherwise. Without a version named, the newest ready version.
    /// </summary>
    public static string? ScaledToZero(RoutingTable table, string? requested)
    {
        var version = requested is not null
            ? Array.Find(table.Versions, v => v.Version == requested)
            : Array.Find(table.Versions, v => v.State == ModelReadyState.Ready);
        return version is { State: ModelReadyState.Ready, ScalesFromZero: true, Instances.Length: 0 } ? version.Version : null;
    }

    // Versions in a table are newest first.
    private static bool IsRoutable(RoutedVersion version) => version.State == ModelReadyState.Ready && version.Instances.Length > 0;
}
