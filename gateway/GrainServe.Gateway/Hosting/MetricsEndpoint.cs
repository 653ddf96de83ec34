using System.Text;
using GrainServe.Gateway.Quotas;
using GrainServe.Monitoring;
using GrainServe.Routing;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GrainServe.Gateway.Hosting;

/// <summary>
/// <c>GET /metrics</c> on the gateway's metrics port: the node autoscaling gauges (<see cref="ClusterDemandGauges"/>), what
/// every silo serves (<see cref="MetricsExposition"/>; for the instances this process hosts in the embedded default), then
/// the weights this gateway routes by (<see cref="VersionWeightGauges"/>).
/// </summary>
internal static class MetricsEndpoint
{
    public static async Task WriteAsync(HttpContext context)
    {
        await ClusterDemandGauges.UpdateAsync(context.RequestServices.GetRequiredService<IGrainFactory>(), context.RequestAborted);
        context.Response.ContentType = MetricsExposition.ContentType;
        await MetricsExposition.WriteAsync(context.RequestServices, context.Response.Body, context.RequestAborted);
        var weights = new StringBuilder();
        VersionWeightGauges.Write(weights, context.RequestServices.GetRequiredService<ModelRouter>(), context.RequestServices.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName ?? "");
        // Present only with API keys on.
        context.RequestServices.GetService<QuotaMetrics>()?.Write(weights);
        await context.Response.WriteAsync(weights.ToString(), context.RequestAborted);
    }
}
