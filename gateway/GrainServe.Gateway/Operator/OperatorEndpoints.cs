using System.Text.Json;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Rest;
using GrainServe.Models;

namespace GrainServe.Gateway.Operator;

/// <summary>
/// GrainServe's operator page and its JSON API, on the metrics port: <c>GET /</c> (the page), <c>GET /api/overview</c>
/// (devices, models, and this gateway's request figures), and each model's config and statistics as the V2 routes answer
/// them, so that the page needs nothing but the metrics port.
/// </summary>
internal static class OperatorEndpoints
{
    public static RouteGroupBuilder MapOperatorEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var page = endpoints.MapGroup("");
        page.MapGet("/", (HttpContext c) => OperatorAssets.WriteAsync(c, "index.html"));
        page.MapGet("/operator.js", (HttpContext c) => OperatorAssets.WriteAsync(c, "operator.js"));
        page.MapGet("/operator.css", (HttpContext c) => OperatorAssets.WriteAsync(c, "operator.css"));
        page.MapGet("/favicon.svg", (HttpContext c) => OperatorAssets.WriteAsync(c, "favicon.svg"));
        page.MapGet("/api/overview", OverviewAsync);
        page.MapGet("/api/models/{model}/config", ConfigAsync);
        page.MapGet("/api/models/{model}/stats", StatisticsAsync);
        return page;
    }

    private static async Task OverviewAsync(HttpContext context)
    {
        var dataPlane = DataPlaneOf(context);
        var (devices, models) = await OverviewCollector.CollectAsync(dataPlane, context.RequestAborted);
        await WriteJsonAsync(context, w => OverviewJson.Write(w, dataPlane.GetServerMetadata(), devices, models, context.RequestServices.GetRequiredService<RequestWindows>()));
    }

    private static async Task ConfigAsync(HttpContext context, string model)
    {
        var config = await DataPlaneOf(context).GetModelConfigAsync(model, null, context.RequestAborted);
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(ModelConfigJson.Write(config), context.RequestAborted);
    }

    private static async Task StatisticsAsync(HttpContext context, string model)
    {
        var statistics = await DataPlaneOf(context).GetStatisticsAsync(model, null, context.RequestAborted);
        await WriteJsonAsync(context, w => ExtensionJson.WriteStatistics(w, statistics));
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        // Live figures: a cached answer would show the page stale numbers.
        context.Response.Headers.CacheControl = "no-store";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        write(writer);
        await writer.FlushAsync(context.RequestAborted);
    }

    private static IInferenceDataPlane DataPlaneOf(HttpContext context) => context.RequestServices.GetRequiredService<IInferenceDataPlane>();
}
