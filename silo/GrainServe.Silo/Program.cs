using System.Net;
using GrainServe.Hosting;
using GrainServe.Monitoring;
using Orleans.Dashboard;
using GrainServe.Silo.Health;
using Microsoft.Extensions.Logging.Console;

// A GPU node: an Orleans silo that hosts this machine's devices and serves no inference protocol. It joins the
// cluster named in the "Cluster" section; see README.md ("Several processes, one cluster").
var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().AddCommandLine(args).Build();
var health = configuration.GetSection(SiloHealthOptions.SectionName).Get<SiloHealthOptions>() ?? new SiloHealthOptions();
var metrics = configuration.GetSection(MetricsOptions.SectionName).Get<MetricsOptions>() ?? new MetricsOptions();
MetricsExposition.ConfigureProcess(ClusterHostingOptions.SiloNameFrom(configuration));
if (health.Port is null && metrics.Port is null)
{
    // No HTTP port: no HTTP server at all, so several silos can share a machine.
    var host = Host.CreateApplicationBuilder(args);
    host.UseOrleans(silo => silo.UseGrainServeCluster(host.Configuration).AddDashboard().AddGrainServeTracing(host.Configuration, ServiceName));
    host.Services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = host.Configuration.GetValue(IncludeScopesKey, true));
    await host.Build().RunAsync();
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.UseGrainServeCluster(builder.Configuration).AddDashboard().AddGrainServeTracing(builder.Configuration, ServiceName));
builder.Services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = builder.Configuration.GetValue(IncludeScopesKey, true));
builder.WebHost.ConfigureKestrel(kestrel =>
{
    if (health.Port is { } healthPort)
    {
        kestrel.Listen(IPAddress.Any, healthPort);
    }

    if (metrics.Port is { } metricsPort && metricsPort != health.Port)
    {
        kestrel.Listen(IPAddress.Any, metricsPort);
    }
});
var app = builder.Build();
app.MapSiloHealth(health.Port, metrics.Port);
await app.RunAsync();

/// <summary>What the device silo's host names itself in traces and logs.</summary>
internal static partial class Program
{
    // The spans' service.name unless OTEL_SERVICE_NAME says otherwise.
    private const string ServiceName = "grainserve-silo";

    // JSON console lines (Logging:Console:FormatterName=json) carry their scopes, the trace id among them, unless this says not to.
    private const string IncludeScopesKey = "Logging:Console:FormatterOptions:IncludeScopes";
}
