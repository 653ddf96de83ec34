using System.Globalization;
using System.Text;
using GrainServe.Contracts;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.Gateway.Hosting;
using GrainServe.Gpu;
using GrainServe.ModelBuilder;
using GrainServe.Models;
using GrainServe.Runtime;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GrainServe.TestSupport;

/// <summary>
/// The embedded default serving two models for the priority and deadline tests: <c>levels</c>, with two priority
/// levels, and <c>slow</c>, whose every batch takes <see cref="SlowBatch"/> on its device (a real ONNX run held that
/// long), already run once so that its queue knows how long a batch takes.
/// </summary>
public sealed class DeadlineGatewayFixture : IAsyncLifetime
{
    public const string Levels = "levels";

    public const string Slow = "slow";

    public static readonly TimeSpan SlowBatch = TimeSpan.FromSeconds(1);

    private readonly string _repository = Path.Combine(Path.GetTempPath(), "grainserve-tests", Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public HttpClient Http { get; } = new();

    public GrpcChannel Channel { get; private set; } = null!;

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    /// <summary>A V2 request of one row for either model (FP32 INPUT0 [1, 4]).</summary>
    public static string Body(string parameters = "") =>
        $$"""{{{parameters}}"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""";

    public async Task InitializeAsync()
    {
        const string LevelsConfig = """{ "max_batch_size": 8, "dynamic_batching": { "priority_levels": 2, "default_priority_level": 2 } }""";
        Write(Levels, LevelsConfig);
        Write(Slow, """{ "max_batch_size": 8, "dynamic_batching": {} }""");
        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:HttpPort"] = Text(httpPort),
            ["Gateway:MetricsPort"] = Text(FreePort.Next()),
            ["Gateway:GrpcPort"] = Text(grpcPort),
            ["Cluster:SiloName"] = "deadline-test",
            ["Cluster:SiloPort"] = Text(FreePort.Next()),
            ["Cluster:GatewayPort"] = Text(FreePort.Next()),
            ["ModelRepository:Path"] = _repository,
            ["Devices:UseGpus"] = "false",
            ["Runtime:IntraOpNumThreads"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _app = GatewayHost.Build([], config => config.AddInMemoryCollection(settings), services =>
            services.AddSingleton<IModelRunnerFactory>(sp => new SlowRunnerFactory(new OnnxModelRunnerFactory(sp.GetRequiredService<OnnxSessionFactory>()))));
        await _app.StartAsync();
        Http.BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Grpc = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);

        await EmbeddedGateway.WaitReadyAsync(Http);

        // One batch on the slow model, so that its queue's batch time is known (about a second).
        using var warm = await Http.PostAsync($"/v2/models/{Slow}/infer", new StringContent(Body(), Encoding.UTF8, "application/json"));
        warm.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Channel?.Dispose();
        await EmbeddedGateway.StopAsync(_app);

        Directory.Delete(_repository, recursive: true);
    }

    private void Write(string name, string config)
    {
        Directory.CreateDirectory(Path.Combine(_repository, name, "1"));
        File.WriteAllBytes(Path.Combine(_repository, name, "1", "model.onnx"), SampleModels.Scale(4, 2));
        File.WriteAllText(Path.Combine(_repository, name, "config.json"), config);
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    // The real runners, with the slow model's batches held on the "device" for SlowBatch.
    private sealed class SlowRunnerFactory(IModelRunnerFactory inner) : IModelRunnerFactory
    {
        public IModelRunner Create(ModelDefinition model, long version, LocalDevice device)
        {
            var runner = inner.Create(model, version, device);
            return model.Name == Slow ? new SlowRunner(runner) : runner;
        }
    }

    private sealed class SlowRunner(IModelRunner inner) : IModelRunner
    {
        public Models.ModelConfig Config => inner.Config;

        public async Task<InferTensor[]> RunAsync(InferTensor[] inputs, string[] outputNames, CancellationToken cancellationToken)
        {
            await Task.Delay(SlowBatch, cancellationToken);
            return await inner.RunAsync(inputs, outputNames, cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DeadlineGatewayCollection : ICollectionFixture<DeadlineGatewayFixture>
{
    public const string Name = "Deadline gateway";
}
