using System.Collections.Concurrent;
using System.Net;
using GrainServe.Gateway.Tracing.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GrainServe.TestSupport;

/// <summary>
/// A minimal OTLP/HTTP trace receiver on a loopback port: accepts <c>POST /v1/traces</c> with a protobuf
/// <c>ExportTraceServiceRequest</c>, as a collector does, and keeps what it decoded.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, int port)
    {
        _app = app;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The base address to give <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; the exporter adds <c>/v1/traces</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Every request received, decoded.</summary>
    public ConcurrentQueue<ExportTraceServiceRequest> Requests { get; } = new();

    /// <summary>The content types the requests came with.</summary>
    public ConcurrentQueue<string> ContentTypes { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, port);
        app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver.ContentTypes.Enqueue(context.Request.ContentType ?? "");
            receiver.Requests.Enqueue(ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray()));
            // OTLP/HTTP answers an ExportTraceServiceResponse; an empty message is all its fields unset.
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.Body.WriteAsync(ReadOnlyMemory<byte>.Empty);
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Every span received, with its resource's service name.</summary>
    public IEnumerable<(string Service, Span Span)> Spans() =>
        from request in Requests
        from resource in request.ResourceSpans
        let service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? ""
        from scope in resource.ScopeSpans
        from span in scope.Spans
        select (service, span);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
