using System.Text;
using GrainServe.Generation;
using Prometheus;

namespace GrainServe.Gateway.Hosting;

/// <summary>
/// <c>GET /metrics</c> on the metrics port: prometheus-net's registry (the <c>grainserve_*</c> series and the runtime's),
/// the node autoscaling gauges (<see cref="ClusterDemandGauges"/>), then vLLM's generation families, which carry a <c>vllm:</c> prefix that the registry cannot write.
/// </summary>
internal static class MetricsEndpoint
{
    public static async Task WriteAsync(HttpContext context)
    {
        await ClusterDemandGauges.UpdateAsync(context.RequestServices.GetRequiredService<IGrainFactory>(), context.RequestAborted);
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        var generation = new StringBuilder();
        GenerationMetrics.Write(generation);
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(generation.ToString()), context.RequestAborted);
    }
}
