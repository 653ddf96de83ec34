using System.Globalization;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.Gateway.Hosting;
using GrainServe.ModelBuilder;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace GrainServe.TestSupport;

/// <summary>
/// The embedded default with tracing on, as an operator turns it on: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c> pointing at an <see cref="OtlpReceiver"/>, plus an in-memory exporter
/// for the tests to read spans with their parentage; JSON console logs, captured. Serves <c>simple</c> (dynamic
/// batching), <c>tiny_llama</c> (generation) and <c>whisper_small</c> (speech to text) only.
/// </summary>
public sealed class TracingGatewayFixture : IAsyncLifetime
{
    public const string ServiceName = "grainserve-trace-test";

    private readonly string _repository = Path.Combine(Path.GetTempPath(), "grainserve-tests", Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public HttpClient Http { get; } = new();

    public GrpcChannel Channel { get; private set; } = null!;

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    public SpanCollection Spans { get; } = new();

    public OtlpReceiver Otlp { get; private set; } = null!;

    public ConsoleCapture Console { get; private set; } = null!;

    /// <summary>Exports what the OTLP exporter still holds, now.</summary>
    public void Flush() => _app!.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000);

    public async Task InitializeAsync()
    {
        SampleRepository.Write(_repository, SampleRepository.Files().Where(f => f.Path.StartsWith("simple/", StringComparison.Ordinal) || f.Path.StartsWith("tiny_llama/", StringComparison.Ordinal)));
        GrainServe.ModelBuilder.Whisper.WhisperModel.Write(
            Path.Combine(_repository, GatewayFixture.Whisper, "1"),
            new GrainServe.ModelBuilder.Whisper.WhisperDims(2, 2, 64, 2, 32, 128, 80, 1500, 448, 51864));
        File.WriteAllText(Path.Combine(_repository, GatewayFixture.Whisper, "config.json"), SampleRepository.WhisperConfig(GatewayFixture.Whisper, kvCacheBytes: 64L << 20));
        Otlp = await OtlpReceiver.StartAsync();
        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            // The standard variables, as configuration keys: the SDK and GrainServe read both the same way.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Otlp.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = ServiceName,
            ["Gateway:HttpPort"] = Text(httpPort),
            ["Gateway:MetricsPort"] = Text(FreePort.Next()),
            ["Gateway:GrpcPort"] = Text(grpcPort),
            ["Cluster:SiloName"] = "trace-test",
            ["Cluster:SiloPort"] = Text(FreePort.Next()),
            ["Cluster:GatewayPort"] = Text(FreePort.Next()),
            ["ModelRepository:Path"] = _repository,
            ["Devices:UseGpus"] = "false",
            ["Runtime:IntraOpNumThreads"] = "1",
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
            ["Logging:LogLevel:GrainServe"] = "Information",
        };

        Console = new ConsoleCapture();
        _app = GatewayHost.Build([], config => config.AddInMemoryCollection(settings),
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans)));
        await _app.StartAsync();
        Http.BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Grpc = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);

        await EmbeddedGateway.WaitReadyAsync(Http);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Channel?.Dispose();
        await EmbeddedGateway.StopAsync(_app);

        Console?.Stop();
        if (Otlp is not null)
        {
            await Otlp.DisposeAsync();
        }

        Directory.Delete(_repository, recursive: true);
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class TracingGatewayCollection : ICollectionFixture<TracingGatewayFixture>
{
    public const string Name = "Embedded gateway, traced";
}
