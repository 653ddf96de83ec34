using System.Globalization;
using System.Text.Json;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gpu;

namespace GrainServe.Gateway.Operator;

/// <summary>
/// Writes <c>GET /api/overview</c>: the silos with their devices, and the models with their versions, weights and
/// instances (the cluster's view), each with the request figures of this gateway's <see cref="RequestWindows"/>.
/// </summary>
internal static class OverviewJson
{
    public static void Write(Utf8JsonWriter w, ServerMetadata server, IReadOnlyList<DeviceInfo> devices, IReadOnlyList<ModelSnapshot> models, RequestWindows windows)
    {
        w.WriteStartObject();
        w.WriteStartObject("server");
        w.WriteString("name", server.Name);
        w.WriteString("version", server.Version);
        w.WriteEndObject();
        w.WriteNumber("window_s", (int)RequestWindow.Length.TotalSeconds);
        w.WriteString("figures", "requests, errors, rps, p50 and p99 over the window, as this gateway saw them");
        WriteSilos(w, devices);
        w.WriteStartArray("models");
        foreach (var model in models)
        {
            WriteModel(w, model, windows);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSilos(Utf8JsonWriter w, IReadOnlyList<DeviceInfo> devices)
    {
        w.WriteStartArray("silos");
        foreach (var silo in devices.GroupBy(d => SiloOf(d.Key), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("name", silo.Key);
            w.WriteStartArray("devices");
            foreach (var device in silo.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("key", device.Key);
                w.WriteString("name", device.Name);
                w.WriteString("kind", device.Kind.ToString().ToUpperInvariant());
                w.WriteNumber("used_bytes", device.UsedBytes);
                w.WriteNumber("budget_bytes", device.BudgetBytes);
                w.WriteNumber("total_memory_bytes", device.TotalMemoryBytes);
                w.WriteNumber("utilization_percent", device.UtilizationPercent);
                w.WriteNumber("instance_count", device.InstanceCount);
                w.WriteNumber("pending_requests", device.PendingRequests);
                w.WriteNumber("executed_batches", device.ExecutedBatches);
                w.WriteBoolean("draining", device.Draining);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteModel(Utf8JsonWriter w, ModelSnapshot model, RequestWindows windows)
    {
        var tried = model.Versions.Where(v => v.Version.Length > 0).ToList();
        w.WriteStartObject();
        w.WriteString("name", model.Name);
        // Ready when any version is; otherwise the state of its newest version tried; empty when none was tried.
        w.WriteString("state", tried.Any(v => v.State == "READY") ? "READY" : tried.OrderByDescending(v => Number(v.Version)).FirstOrDefault()?.State ?? "");
        if (model.Problem is not null)
        {
            w.WriteString("problem", model.Problem);
        }

        w.WriteString("traffic_source", model.Traffic?.Source ?? "none");
        w.WriteNumber("instance_count", model.Instances.Count);
        w.WriteNumber("pending", model.Instances.Sum(i => i.Pending));
        WriteFigures(w, windows.Of(model.Name, null));
        w.WriteStartArray("versions");
        var versions = tried.Select(v => v.Version)
            .Concat(model.Traffic?.Versions.Select(v => v.Version) ?? [])
            .Concat(model.Instances.Select(i => i.Version))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(Number);
        foreach (var version in versions)
        {
            WriteVersion(w, model, version, windows);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteVersion(Utf8JsonWriter w, ModelSnapshot model, string version, RequestWindows windows)
    {
        var entry = model.Versions.FirstOrDefault(v => v.Version == version);
        var traffic = model.Traffic?.Versions.FirstOrDefault(v => v.Version == version);
        var instances = model.Instances.Where(i => i.Version == version).ToList();
        w.WriteStartObject();
        w.WriteString("version", version);
        w.WriteString("state", entry?.State ?? traffic?.State.ToString().ToUpperInvariant() ?? "");
        if (entry is { Reason.Length: > 0 })
        {
            w.WriteString("reason", entry.Reason);
        }

        if (traffic?.Weight is { } weight)
        {
            w.WriteNumber("weight", weight);
        }
        else
        {
            w.WriteNull("weight");
        }

        if (traffic?.RolledBack is { } rolledBack)
        {
            w.WriteString("rolled_back", rolledBack);
        }

        w.WriteNumber("instance_count", instances.Count);
        w.WriteNumber("pending", instances.Sum(i => i.Pending));
        w.WriteStartArray("instances");
        foreach (var instance in instances)
        {
            w.WriteStartObject();
            w.WriteString("device", instance.DeviceKey);
            w.WriteString("instance_id", instance.InstanceId);
            w.WriteString("state", instance.State.ToString().ToUpperInvariant());
            w.WriteNumber("pending", instance.Pending);
            w.WriteNumber("memory_bytes", instance.MemoryBytes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteFigures(w, windows.Of(model.Name, version));
        w.WriteEndObject();
    }

    private static void WriteFigures(Utf8JsonWriter w, RequestFigures figures)
    {
        w.WriteStartObject("window");
        w.WriteNumber("requests", figures.Requests);
        w.WriteNumber("errors", figures.Errors);
        w.WriteNumber("rps", Math.Round(figures.RequestsPerSecond, 3));
        WriteMilliseconds(w, "p50_ms", figures.P50Milliseconds);
        WriteMilliseconds(w, "p99_ms", figures.P99Milliseconds);
        w.WriteEndObject();
    }

    private static void WriteMilliseconds(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } ms)
        {
            w.WriteNumber(name, Math.Round(ms, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    // A device key is {siloName}/{deviceId}; device ids have no slash, silo names might.
    private static string SiloOf(string deviceKey) => deviceKey.LastIndexOf('/') is var slash and > 0 ? deviceKey[..slash] : deviceKey;

    private static long Number(string version) => long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
}
