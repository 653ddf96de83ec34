using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.Gateway.Hosting;
using GrainServe.ModelBuilder;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace GrainServe.TestSupport;

/// <summary>
/// The embedded default as production would run it: API keys on (a keys file, reloaded every 200 ms, and one key from
/// configuration), REST and gRPC over TLS with a self-signed certificate made here, TLS between silos with the same
/// certificate, tracing on into memory and every log entry captured; some keys have quotas (<see cref="Quotas"/>). Serves <c>simple</c>, <c>add_sub</c>,
/// <c>tiny_llama</c> and <see cref="UnloadModel"/>.
/// </summary>
public sealed class AuthGatewayFixture : IAsyncLifetime
{
    /// <summary>A model the repository-scope tests unload and load again; no other test uses it.</summary>
    public const string UnloadModel = "auth_unload";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "grainserve-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _keys = [];
    private WebApplication? _app;

    /// <summary>The keys of the file, by name, as <see cref="WriteKeysFile"/> writes them: scopes and models.</summary>
    public static readonly IReadOnlyDictionary<string, (string[] Scopes, string[] Models)> FileKeys = new Dictionary<string, (string[], string[])>
    {
        ["infer-all"] = (["infer"], ["*"]),
        ["simple-only"] = (["infer"], ["simple"]),
        ["tiny-glob"] = (["infer", "repository"], ["tiny_*"]),
        ["watcher"] = (["metrics"], ["*"]),
        ["rps-rest"] = (["infer"], ["*"]),
        ["rps-grpc"] = (["infer"], ["*"]),
        ["rps-openai"] = (["infer"], ["*"]),
        ["rps-metric"] = (["infer"], ["*"]),
        ["tpm"] = (["infer"], ["*"]),
        ["aspm"] = (["infer"], ["*"]),
    };

    /// <summary>
    /// The quotas of some of <see cref="FileKeys"/>, each key used by one quota test only. One request per 5 s: the first
    /// passes, the next ones at once are refused, however slow the machine.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, object> Quotas = new Dictionary<string, object>
    {
        ["rps-rest"] = new { requests_per_second = 0.2 },
        ["rps-grpc"] = new { requests_per_second = 0.2 },
        ["rps-openai"] = new { requests_per_second = 0.2 },
        ["rps-metric"] = new { requests_per_second = 0.2 },
        ["tpm"] = new { tokens_per_minute = 1000 },
        ["aspm"] = new { audio_seconds_per_minute = 2 },
    };

    /// <summary>The Whisper model, for the audio-seconds quota.</summary>
    public const string Whisper = "whisper_small";

    /// <summary>The key given in configuration (<c>Auth:Keys:0</c>), as an environment variable would.</summary>
    public const string AdminKey = "admin";

    /// <summary>REST over TLS, trusting only <see cref="Certificate"/>; no key unless a test adds one.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The metrics port, plain HTTP; cookies off, so each test handles its own.</summary>
    public HttpClient Metrics { get; private set; } = null!;

    public Uri MetricsAddress { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    public TestCertificate Certificate { get; private set; } = null!;

    /// <summary>The Orleans silo port, which speaks TLS here (Cluster:Tls).</summary>
    public int SiloPort { get; } = FreePort.Next();

    public LogCapture Logs { get; } = new();

    public SpanCollection Spans { get; } = new();

    public IServiceProvider Services => _app!.Services;

    public string KeysFile => Path.Combine(_folder, "auth", "keys.json");

    /// <summary>The key named <paramref name="name"/>.</summary>
    public string Key(string name) => _keys[name];

    /// <summary>gRPC metadata that carries <paramref name="name"/>'s key.</summary>
    public Metadata Bearer(string name) => new() { { "authorization", $"Bearer {Key(name)}" } };

    /// <summary>Exports what the tracer still holds, now.</summary>
    public void Flush() => _app!.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000);

    public async Task InitializeAsync()
    {
        var repository = Path.Combine(_folder, "models");
        SampleRepository.Write(repository, SampleRepository.Files().Where(f => f.Path.Split('/')[0] is "simple" or "add_sub" or "tiny_llama"));
        Directory.CreateDirectory(Path.Combine(repository, UnloadModel, "1"));
        File.WriteAllBytes(Path.Combine(repository, UnloadModel, "1", "model.onnx"), SampleModels.Scale(2, 3));
        File.WriteAllText(Path.Combine(repository, UnloadModel, "config.json"), """{ "max_batch_size": 8 }""");
        TestWhisper.Write(repository, Whisper);

        foreach (var name in FileKeys.Keys.Append(AdminKey))
        {
            _keys[name] = NewKey();
        }

        WriteKeysFile(FileKeys);
        Certificate = TestCertificate.Write(Path.Combine(_folder, "tls"));
        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        var metricsPort = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Enabled"] = "true",
            ["Auth:KeysFile"] = KeysFile,
            ["Auth:ReloadInterval"] = "00:00:00.200",
            ["Auth:Keys:0:Name"] = AdminKey,
            ["Auth:Keys:0:Sha256"] = Sha256(Key(AdminKey)),
            ["Auth:Keys:0:Scopes:0"] = "admin",
            ["Auth:Keys:0:Models:0"] = "*",
            ["Gateway:Tls:CertificatePath"] = Certificate.CertificatePath,
            ["Gateway:Tls:KeyPath"] = Certificate.KeyPath,
            ["Cluster:Tls:CertificatePath"] = Certificate.CertificatePath,
            ["Cluster:Tls:KeyPath"] = Certificate.KeyPath,
            ["Tracing:Enabled"] = "true",
            ["Tracing:Sampler"] = "always_on",
            ["Gateway:HttpPort"] = Text(httpPort),
            ["Gateway:GrpcPort"] = Text(grpcPort),
            ["Gateway:MetricsPort"] = Text(metricsPort),
            // The metrics registry's silo label is process-wide: the same name as GatewayFixture's.
            ["Cluster:SiloName"] = "rest-test",
            ["Cluster:SiloPort"] = Text(SiloPort),
            ["Cluster:GatewayPort"] = Text(FreePort.Next()),
            ["ModelRepository:Path"] = repository,
            ["Devices:UseGpus"] = "false",
            ["Runtime:IntraOpNumThreads"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:GrainServe"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
            ["Logging:LogLevel:Grpc"] = "Debug",
        };

        _app = GatewayHost.Build([], config => config.AddInMemoryCollection(settings), services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
        });
        await _app.StartAsync();
        Http = new HttpClient(Certificate.TrustingHandler()) { BaseAddress = new Uri($"https://127.0.0.1:{httpPort}") };
        MetricsAddress = new Uri($"http://127.0.0.1:{metricsPort}");
        Metrics = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = MetricsAddress };
        Channel = GrpcChannel.ForAddress($"https://127.0.0.1:{grpcPort}", new GrpcChannelOptions { HttpHandler = Certificate.TrustingHandler() });
        Grpc = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);

        await EmbeddedGateway.WaitReadyAsync(Http);
    }

    /// <summary>Writes the keys file with <paramref name="keys"/>, making a key for any name that has none yet.</summary>
    public void WriteKeysFile(IReadOnlyDictionary<string, (string[] Scopes, string[] Models)> keys)
    {
        foreach (var name in keys.Keys.Where(n => !_keys.ContainsKey(n)))
        {
            _keys[name] = NewKey();
        }

        var content = new { keys = keys.Select(k => new { name = k.Key, sha256 = Sha256(Key(k.Key)), scopes = k.Value.Scopes, models = k.Value.Models, quota = Quotas.GetValueOrDefault(k.Key) }) };
        Directory.CreateDirectory(Path.GetDirectoryName(KeysFile)!);
        // Written beside and moved in, as a Secret volume swaps its files: a poll never reads half a file.
        var temporary = KeysFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(content));
        File.Move(temporary, KeysFile, overwrite: true);
    }

    /// <summary>A request to the REST port carrying <paramref name="key"/> as a bearer key, when given.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path, string? key, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        Metrics?.Dispose();
        Channel?.Dispose();
        await EmbeddedGateway.StopAsync(_app);

        Directory.Delete(_folder, recursive: true);
    }

    public static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string NewKey() => "gsk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class AuthGatewayCollection : ICollectionFixture<AuthGatewayFixture>
{
    public const string Name = "Embedded gateway, API keys and TLS";
}
