using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using GrainServe.ModelBuilder;

namespace GrainServe;

/// <summary>
/// A real cluster on loopback: a gateway-only silo and device silos as separate processes, with membership in the
/// Redis server that .ci/run starts on 127.0.0.1:6379, under a cluster id of its own.
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
        Directory.CreateDirectory(Path.Combine(_repository, "spread", "1"));
        File.WriteAllBytes(Path.Combine(_repository, "spread", "1", "model.onnx"), SampleModels.AddSub("FP32", 4));
        File.WriteAllText(Path.Combine(_repository, "spread", "config.json"), """{ "max_batch_size": 8, "instance_group": [{ "count": 2 }], "dynamic_batching": { "max_queue_delay_microseconds": 100 } }""");
        // One instance at load: more only as load grows.
        Directory.CreateDirectory(Path.Combine(_repository, "growing", "1"));
        File.WriteAllBytes(Path.Combine(_repository, "growing", "1", "model.onnx"), SampleModels.AddSub("FP32", 4));
        File.WriteAllText(Path.Combine(_repository, "growing", "config.json"), """{ "max_batch_size": 8, "dynamic_batching": { "max_queue_delay_microseconds": 100 } }""");
    }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Uri BaseAddress => new($"http://127.0.0.1:{_httpPort}");

    public Dictionary<string, Process> Nodes { get; } = [];

    /// <summary>The bodies of 503 answers, to say in the test output why requests were retryable.</summary>
    public System.Collections.Concurrent.ConcurrentBag<string> RetryableSamples { get; } = [];

    public Process StartGateway() => Start("GrainServe.Gateway.dll", "gateway",
        $"--Gateway:HttpPort={_httpPort}", $"--Gateway:GrpcPort={FreePort()}", $"--Gateway:MetricsPort={FreePort()}", "--Cluster:HostDevices=false");

    public Process StartNode(string name)
    {
        var process = Start("GrainServe.Silo.dll", name);
        Nodes[name] = process;
        return process;
    }

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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
