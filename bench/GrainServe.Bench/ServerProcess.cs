using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace GrainServe.Bench;

/// <summary>
/// A GrainServe gateway (embedded default: gateway and a CPU device in one process) started from this program's
/// output folder on free loopback ports, so its CPU time is measured apart from the load generator's.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, int httpPort, int grpcPort)
    {
        _process = process;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
    }

    public int HttpPort { get; }

    public int GrpcPort { get; }

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<ServerProcess> StartAsync(params string[] settings)
    {
        var (http, grpc, metrics, silo, gateway) = (FreePort(), FreePort(), FreePort(), FreePort(), FreePort());
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(directory, "GrainServe.Gateway.dll"));
        foreach (var argument in new[]
        {
            $"--Gateway:HttpPort={http}", $"--Gateway:GrpcPort={grpc}", $"--Gateway:MetricsPort={metrics}",
            $"--Cluster:SiloPort={silo}", $"--Cluster:GatewayPort={gateway}", "--Cluster:SiloName=bench",
            $"--ModelRepository:Path={Path.Combine(directory, "models")}", "--Logging:LogLevel:Default=Warning",
            // The same session options as the in-process reference, whatever appsettings.json sits beside the binaries.
            "--Runtime:IntraOpNumThreads=1",
        }.Concat(settings))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the gateway");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[server] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, http, grpc);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                if ((await client.GetAsync("/v2/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException("the gateway did not become ready within 90 s");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Rows and batches the model has run so far, from the statistics extension.</summary>
    public async Task<(long Rows, long Batches)> CountsAsync(HttpClient client, string model)
    {
        var stats = JsonNode.Parse(await client.GetStringAsync($"http://127.0.0.1:{HttpPort}/v2/models/{model}/stats"))!["model_stats"]![0]!;
        return (stats["inference_count"]!.GetValue<long>(), stats["execution_count"]!.GetValue<long>());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string Text(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
