using System.Text;
using GrainServe.Generation;
using GrainServe.Hosting;

namespace GrainServe.Silo.Health;

/// <summary>
/// Startup: the devices are active and the start-up loads are done. Ready: started and not draining (readiness turns
/// false first on SIGTERM). Live: the process answers; it checks local progress only, never the cluster.
/// </summary>
public static class SiloHealthEndpoints
{
    /// <summary>Maps the three probes, and <c>/metrics</c> with the vLLM families of the generation instances this silo hosts.</summary>
    public static IEndpointRouteBuilder MapSiloHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/live", () => Results.Ok(new { live = true }));
        endpoints.MapGet("/health/startup", (DeviceActivator devices) => devices.StartupLoad.IsCompleted
            ? Results.Ok(new { started = true })
            : Results.Json(new { started = false }, statusCode: StatusCodes.Status503ServiceUnavailable));
        endpoints.MapGet("/health/ready", (DeviceActivator devices) => devices.StartupLoad.IsCompleted && !devices.Draining
            ? Results.Ok(new { ready = true })
            : Results.Json(new { ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable));
        endpoints.MapGet("/metrics", () =>
        {
            var text = new StringBuilder();
            GenerationMetrics.Write(text);
            return Results.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
        });
        return endpoints;
    }
}
