using GrainServe.Hosting;
using GrainServe.Monitoring;

namespace GrainServe.Silo.Health;

/// <summary>
/// Startup: the devices are active and the start-up loads are done. Ready: started and not draining (readiness turns
/// false first on SIGTERM). Live: the process answers; it checks local progress only, never the cluster.
/// </summary>
public static class SiloHealthEndpoints
{
    /// <summary>
    /// Maps the three probes on the health port and <c>/metrics</c> (<see cref="MetricsExposition"/>: Triton's, vLLM's and
    /// GrainServe's families of the instances this silo hosts) on the metrics port; either may be null, or both the same.
    /// </summary>
    public static IEndpointRouteBuilder MapSiloHealth(this IEndpointRouteBuilder endpoints, int? healthPort, int? metricsPort)
    {
        if (healthPort is { } health)
        {
            var probes = endpoints.MapGroup("/health").RequireHost($"*:{health}");
            probes.MapGet("/live", () => Results.Ok(new { live = true }));
            probes.MapGet("/startup", (DeviceActivator devices) => devices.StartupLoad.IsCompleted
                ? Results.Ok(new { started = true })
                : Results.Json(new { started = false }, statusCode: StatusCodes.Status503ServiceUnavailable));
            probes.MapGet("/ready", (DeviceActivator devices) => devices.StartupLoad.IsCompleted && !devices.Draining
                ? Results.Ok(new { ready = true })
                : Results.Json(new { ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable));
        }

        // Without a metrics port of its own, the health port serves /metrics as it always has.
        if ((metricsPort ?? healthPort) is { } port)
        {
            endpoints.MapGet("/metrics", async context =>
            {
                context.Response.ContentType = MetricsExposition.ContentType;
                await MetricsExposition.WriteAsync(context.RequestServices, context.Response.Body, context.RequestAborted);
            }).RequireHost($"*:{port}");
        }

        return endpoints;
    }
}
