using System.Net;
using Orleans.Dashboard;
using GrainServe.Silo.Health;
using Microsoft.Extensions.Logging.Console;

// A GPU node: an Orleans silo that hosts this machine's devices and serves no inference protocol. It joins the
// cluster named in the "Cluster" section; see README.md ("Several processes, one cluster").
var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().AddCommandLine(args).Build();
var health = configuration.GetSection(SiloHealthOptions.SectionName).Get<SiloHealthOptions>() ?? new SiloHealthOptions();
if (health.Port is not { } port)
{
    // No health port: no HTTP server at all, so several silos can share a machine.
    var host = Host.CreateApplicationBuilder(args);
    host.UseOrleans(silo => silo.UseGrainServeCluster(host.Configuration).AddDashboard().AddGrainServeTracing(host.Configuration, ServiceName));
    host.Services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = host.Configuration.GetValue(IncludeScopesKey, true));
    await host.Build().RunAsync();
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.UseGrainServeCluster(builder.Configuration).AddDashboard().AddGrainServeTracing(builder.Configuration, ServiceName));
builder.Services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = builder.Configuration.GetValue(IncludeScopesKey, true));
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Any, port));
var app = builder.Build();
app.MapSiloHealth();
await app.RunAsync();

/// <summary>What the device silo's host names itself in traces and logs.</summary>
internal static partial class Program
{
    // The spans' service.name unless OTEL_SERVICE_NAME says otherwise.
    private const string ServiceName = "grainserve-silo";

    // JSON console lines (Logging:Console:FormatterName=json) carry their scopes, the trace id among them, unless this says not to.
    private const string IncludeScopesKey = "Logging:Console:FormatterOptions:IncludeScopes";
}
