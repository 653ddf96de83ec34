using System.Text.Json;
using GrainServe.Gateway.DataPlane;
using GrainServe.Models;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// GrainServe's traffic split routes: <c>GET</c> and <c>PUT /v2/models/{model}/traffic</c> (weights per version, as a
/// canary, A/B/N or blue/green split; the answer shows the weights in force and per-version figures).
/// </summary>
internal static class TrafficEndpoints
{
    public static RouteGroupBuilder MapTrafficEndpoints(this RouteGroupBuilder v2)
    {
        v2.MapGet("/models/{model}/traffic", GetAsync);
        v2.MapPut("/models/{model}/traffic", PutAsync);
        return v2;
    }

    private static async Task GetAsync(HttpContext context, string model) =>
        await WriteAsync(context, await DataPlaneOf(context).GetTrafficAsync(model, context.RequestAborted));

    private static async Task PutAsync(HttpContext context, string model)
    {
        Dictionary<string, int> weights;
        using (var document = await JsonFields.ReadObjectAsync(context.Request, context.RequestAborted))
        {
            weights = ReadWeights(document.RootElement);
        }

        await WriteAsync(context, await DataPlaneOf(context).SetTrafficAsync(model, weights, context.RequestAborted));
    }

    // {"weights": {"1": 90, "2": 10}}: nothing else, so that a misspelt field is an error rather than ignored.
    private static Dictionary<string, int> ReadWeights(JsonElement body)
    {
        JsonElement? weights = null;
        foreach (var property in body.EnumerateObject())
        {
            var name = JsonFields.Name(property);
            weights = name == "weights" ? property.Value : throw JsonFields.Invalid($"unknown field \"{name}\": the body is {{\"weights\": {{\"<version>\": <weight>, ...}}}}");
        }

        if (weights is not { ValueKind: JsonValueKind.Object } map)
        {
            throw JsonFields.Invalid("\"weights\" is required and must be an object of version to weight, such as {\"1\": 90, \"2\": 10}");
        }

        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            var version = JsonFields.Name(entry);
            if (!result.TryAdd(version, JsonFields.Int(entry.Value, $"weights.{version}")))
            {
                throw JsonFields.Invalid($"version {version} appears twice in \"weights\"");
            }
        }

        return result;
    }

    private static async Task WriteAsync(HttpContext context, TrafficStatus status)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        w.WriteStartObject();
        w.WriteString("name", status.Model);
        w.WriteString("source", status.Source);
        if (status.Weights is { } weights)
        {
            w.WriteStartObject("weights");
            foreach (var (version, weight) in weights.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(version, weight);
            }

            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("weights");
        }

        if (status.StickyHeader is { } sticky)
        {
            w.WriteString("sticky_header", sticky);
        }

        if (status.Mirror is { } mirror)
        {
            w.WriteStartObject("mirror");
            w.WriteString("version", mirror.Version);
            w.WriteNumber("percent", mirror.Percent);
            w.WriteEndObject();
        }

        w.WriteStartArray("versions");
        foreach (var version in status.Versions)
        {
            w.WriteStartObject();
            w.WriteString("version", version.Version);
            if (version.Weight is { } weight)
            {
                w.WriteNumber("weight", weight);
            }

            w.WriteString("state", version.State.ToString().ToUpperInvariant());
            w.WriteNumber("requests", version.Requests);
            w.WriteNumber("errors", version.Errors);
            w.WriteNumber("mirrored", version.Mirrored);
            if (version.P99Milliseconds is { } p99)
            {
                w.WriteNumber("p99_ms", Math.Round(p99, 3));
            }

            if (version.RolledBack is { } reason)
            {
                w.WriteString("rolled_back", reason);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static IInferenceDataPlane DataPlaneOf(HttpContext context) => context.RequestServices.GetRequiredService<IInferenceDataPlane>();
}
