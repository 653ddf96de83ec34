using System.Net;
using GrainServe.Gateway.Rest;
using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.PlainServer;
using GrainServe.Runtime;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// The baseline a team would write instead of GrainServe: ASP.NET Core calling ONNX Runtime directly, one
// session per model, every request run on its own as it arrives (no Orleans, no batching, no queue).
// dotnet GrainServe.PlainServer.dll --Plain:Repository=<folder> --Plain:HttpPort=9000 --Plain:GrpcPort=9001
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var settings = builder.Configuration.GetSection("Plain");
var httpPort = settings.GetValue("HttpPort", 9000);
var grpcPort = settings.GetValue("GrpcPort", 9001);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxRequestBodySize = 64 << 20;
    kestrel.Listen(IPAddress.Loopback, httpPort);
    kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
});

var repository = new ModelRepository(Options.Create(new ModelRepositoryOptions { Path = settings["Repository"] ?? "models" }), NullLogger<ModelRepository>.Instance);
var factory = new OnnxModelRunnerFactory(Options.Create(new RuntimeOptions { IntraOpNumThreads = settings.GetValue("IntraOpNumThreads", 1) }), NullLogger<OnnxSessionFactory>.Instance);
var device = new LocalDevice("cpu0", DeviceKind.Cpu, 0, "cpu0", "CPU-plain-0", 1L << 34, 1L << 34);
var models = (settings["Models"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
    .ToDictionary(name => name, name => factory.Create(repository.Find(name) ?? throw new InvalidOperationException($"no model {name}"), 1, device));
builder.Services.AddSingleton(new PlainModels(models));
builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = 64 << 20);

var app = builder.Build();
app.MapGet("/v2/health/ready", () => Results.Ok());
app.MapPost("/v2/models/{model}/infer", async (HttpContext context, string model, PlainModels plain) =>
{
    // The same reader as the gateway's, so the comparison measures what GrainServe adds around it.
    var length = context.Request.Headers[InferenceRequestJsonReader.HeaderLengthHeader];
    var request = await InferenceRequestJsonReader.ReadAsync(context.Request, length.Count > 0 ? long.Parse(length[0]!, System.Globalization.CultureInfo.InvariantCulture) : null, null, context.RequestAborted);
    var response = await plain.InferAsync(model, request.Request);
    await InferenceResponseJsonWriter.WriteAsync(context, response, request);
}).RequireHost($"*:{httpPort}");
app.MapGrpcService<PlainGrpcService>().RequireHost($"*:{grpcPort}");
await app.RunAsync();
