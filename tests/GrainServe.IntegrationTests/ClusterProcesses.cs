using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using GrainServe.ModelBuilder;
using StackExchange.Redis;

namespace GrainServe;

/// <summary>
/// A real cluster on loopback: a gateway-only silo and device silos as separate processes, with membership in the
/// Redis server that .ci/run starts on 127.0.0.1:6379, under a cluster and service id of its own (so no run sees another's
/// membership or grain state), whose keys it deletes when disposed.
/// </summary>
internal sealed class ClusterProcesses : IAsyncDisposable
{
    private readonly string _clusterId = "it-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "grainserve-it", Guid.NewGuid().ToString("N"));
    private readonly List<Process> _processes = [];
    private readonly int _httpPort = FreePort();

    public ClusterProcesses()
    {
        // A model with an instance on each device, and nothing else to load.
        WriteAddSub("spread", """{ "max_batch_size": 8, "instance_group": [{ "count": 2 }], "dynamic_batching": { "max_queue_delay_microseconds": 100 } }""");
        // One instance at load: more only as load grows.
        WriteAddSub("growing", """{ "max_batch_size": 8, "dynamic_batching": { "max_queue_delay_microseconds": 100 } }""");
    }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Adds an add/sub model <paramref name="name"/> with <paramref name="count"/> instances to the repository.</summary>
    public void AddAddSubModel(string name, int count) =>
        WriteAddSub(name, $$"""{ "max_batch_size": 8, "instance_group": [{ "count": {{count}} }] }""");

    public Uri BaseAddress => new($"http://127.0.0.1:{_httpPort}");

    public Dictionary<string, Process> Nodes { get; } = [];

    /// <summary>
    /// Copies the sample repository's model <paramref name="name"/> (models/) into this cluster's repository, with
    /// <paramref name="configure"/> applied to its config.json.
    /// </summary>
    public void AddSampleModel(string name, Action<JsonObject>? configure = null)
    {
        var source = Path.Combine(RepoPaths.Root, "models", name);
        var target = Path.Combine(_repository, name);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(target, "config.json")))!.AsObject();
        configure?.Invoke(config);
        File.WriteAllText(Path.Combine(target, "config.json"), config.ToJsonString());
    }

    /// <summary>Sends SIGTERM to <paramref name="process"/>: the graceful stop a pod gets.</summary>
    public static void Terminate(Process process)
    {
        using var kill = Process.Start("kill", ["-TERM", Text(process.Id)]);
        kill.WaitForExit();
    }

    /// <summary>
    /// Stops every process with SIGTERM and waits until all have exited: the whole cluster is gone, and what it kept
    /// is only what it wrote to Redis. Processes started afterwards join under the same ids and HTTP port.
    /// </summary>
    public async Task StopAllAsync(TimeSpan timeout)
    {
        var running = _processes.Where(p => !p.HasExited).ToList();
        foreach (var process in running)
        {
            Terminate(process);
        }

        using var cancellation = new CancellationTokenSource(timeout);
        await Task.WhenAll(running.Select(p => p.WaitForExitAsync(cancellation.Token)));
        Nodes.Clear();
    }

    /// <summary>The bodies of 503 answers, to say in the test output why requests were retryable.</summary>
    public System.Collections.Concurrent.ConcurrentBag<string> RetryableSamples { get; } = [];

    public Process StartGateway() => Start("GrainServe.Gateway.dll", "gateway",
        $"--Gateway:HttpPort={_httpPort}", $"--Gateway:GrpcPort={FreePort()}", $"--Gateway:MetricsPort={FreePort()}", "--Cluster:HostDevices=false");

    /// <summary>Each node's metrics port (<c>Metrics:Port</c>), by node name.</summary>
    public Dictionary<string, int> MetricsPorts { get; } = [];

    public Process StartNode(string name)
    {
        var metricsPort = FreePort();
        var process = Start("GrainServe.Silo.dll", name, $"--Metrics:Port={metricsPort}");
        Nodes[name] = process;
        MetricsPorts[name] = metricsPort;
        return process;
    }

    /// <summary>A node's <c>/metrics</c> text.</summary>
    public Task<string> ScrapeAsync(string node) => Http.GetStringAsync($"http://127.0.0.1:{MetricsPorts[node]}/metrics");

    /// <summary>Waits until the gateway lists <paramref name="count"/> devices.</summary>
    public async Task WaitForDevicesAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await DevicesAsync()).Count == count)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The gateway is not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"the cluster did not reach {count} devices within 60 s");
            await Task.Delay(200);
        }
    }

    public async Task<JsonArray> DevicesAsync() =>
        JsonNode.Parse(await Http.GetStringAsync(new Uri(BaseAddress, "/v2/cluster/devices")))!.AsArray();

    /// <summary>Sends request <paramref name="i"/>: outcome "ok" (correct answer), "retryable" (503), or the status and body.</summary>
    public async Task<string> InferAsync(int i) => await InferAsync("spread", i);

    public async Task<string> InferAsync(string model, int i)
    {
        var body = $$"""{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","data":[{{i}},1,2,3]},{"name":"INPUT1","shape":[1,4],"datatype":"FP32","data":[1,1,1,1]}]}""";
        using var response = await Http.PostAsync(new Uri(BaseAddress, $"/v2/models/{model}/infer"), new StringContent(body));
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            RetryableSamples.Add(text);
            return "retryable";
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"{(int)response.StatusCode} {text}";
        }

        var data = JsonNode.Parse(text)!["outputs"]![0]!["data"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        return data.SequenceEqual([i + 1f, 2f, 3f, 4f]) ? "ok" : $"wrong {text}";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        Http.Dispose();
        Directory.Delete(_repository, recursive: true);
        await DeleteRedisKeysAsync();
    }

    private Process Start(string dll, string siloName, params string[] extra)
    {
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(directory, dll));
        foreach (var argument in new[]
        {
            "--Cluster:Clustering=Redis", $"--Cluster:ClusterId={_clusterId}", $"--Cluster:ServiceId={_clusterId}", $"--Cluster:SiloName={siloName}",
            $"--Cluster:SiloPort={FreePort()}", $"--Cluster:GatewayPort={FreePort()}", $"--ModelRepository:Path={_repository}",
            "--ModelRepository:LoadAllOnStartup=false", "--Devices:UseGpus=false", "--Runtime:IntraOpNumThreads=1", "--Logging:LogLevel:Default=Warning",
        }.Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    // Membership and grain storage keys both start with the service id, which is the cluster id here.
    private async Task DeleteRedisKeysAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.ConnectionString);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: _clusterId + "/*"))
        {
            keys.Add(key);
        }

        if (keys.Count > 0)
        {
            await redis.GetDatabase().KeyDeleteAsync([.. keys]);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // The add/sub sample as version 1 of a model of the repository, under the given config.json.
    private void WriteAddSub(string name, string config)
    {
        Directory.CreateDirectory(Path.Combine(_repository, name, "1"));
        File.WriteAllBytes(Path.Combine(_repository, name, "1", "model.onnx"), SampleModels.AddSub("FP32", 4));
        File.WriteAllText(Path.Combine(_repository, name, "config.json"), config);
    }

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
