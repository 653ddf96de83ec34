using GrainServe.Monitoring;

namespace GrainServe.Gateway.Hosting;

/// <summary>
/// <c>GET /metrics</c> on the gateway's metrics port: the node autoscaling gauges (<see cref="ClusterDemandGauges"/>), then
/// what every silo serves (<see cref="MetricsExposition"/>), for the instances this process hosts in the embedded default.
/// </summary>
internal static class MetricsEndpoint
{
    public static async Task WriteAsync(HttpContext context)
    {
        await ClusterDemandGauges.UpdateAsync(context.RequestServices.GetRequiredService<IGrainFactory>(), context.RequestAborted);
        context.Response.ContentType = MetricsExposition.ContentType;
        await MetricsExposition.WriteAsync(context.RequestServices, context.Response.Body, context.RequestAborted);
    }
}
