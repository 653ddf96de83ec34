using System.Net;
using Orleans.Dashboard;
using GrainServe.Silo.Health;

// A GPU node: an Orleans silo that hosts this machine's devices and serves no inference protocol. It joins the
// cluster named in the "Cluster" section; see README.md ("Several processes, one cluster").
var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().AddCommandLine(args).Build();
var health = configuration.GetSection(SiloHealthOptions.SectionName).Get<SiloHealthOptions>() ?? new SiloHealthOptions();
if (health.Port is not { } port)
{
    // No health port: no HTTP server at all, so several silos can share a machine.
    var host = Host.CreateApplicationBuilder(args);
    host.UseOrleans(silo => silo.UseGrainServeCluster(host.Configuration).AddDashboard());
    await host.Build().RunAsync();
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.UseGrainServeCluster(builder.Configuration).AddDashboard());
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Any, port));
var app = builder.Build();
app.MapSiloHealth();
await app.RunAsync();
