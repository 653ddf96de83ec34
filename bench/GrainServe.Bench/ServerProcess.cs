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

    /// <summary>The server's process id, for the soak scenario's samples of its memory, handles and threads.</summary>
    public int ProcessId => _process.Id;

    public int GrpcPort { get; }

    /// <summary>The Prometheus port of a gateway; 0 for other processes.</summary>
    public int MetricsPort { get; private init; }

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Processes that serve this one's requests with it (a gateway's device silo), whose CPU an arm counts too.</summary>
    public List<ServerProcess> ServedWith { get; } = [];

    /// <summary>The CPU time of this process and of those it is <see cref="ServedWith"/>.</summary>
    public TimeSpan ServingCpuTime => ServedWith.Aggregate(CpuTime, (total, other) => total + other.CpuTime);

    /// <summary>The embedded default: gateway and a CPU device in one process.</summary>
    public static Task<ServerProcess> StartAsync(params string[] settings) => StartGatewayAsync(FreePort(), settings);

    /// <summary>The embedded default from another build's output folder (an earlier commit), to compare side by side.</summary>
    public static Task<ServerProcess> StartFromAsync(string directory, params string[] settings) => StartGatewayAsync(FreePort(), directory, settings);

    /// <summary>A gateway whose silo listens on <paramref name="siloPort"/>, so that a device silo can join it.</summary>
    /// <remarks>It waits for liveness only: a gateway without devices is not ready until a device silo joins.</remarks>
    public static Task<ServerProcess> StartGatewayAsync(int siloPort, params string[] settings) => StartGatewayAsync(siloPort, AppContext.BaseDirectory, settings);

    private static async Task<ServerProcess> StartGatewayAsync(int siloPort, string directory, string[] settings)
    {
        // A port FreePort found free can be taken by another process before the gateway binds it (the host is shared):
        // the gateway then exits at start with "address already in use", and it is started again on other ports.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartGatewayOnFreePortsAsync(siloPort, directory, settings);
            }
            catch (ServerExitedException ex) when (attempt < 3)
            {
                Console.Error.WriteLine($"{ex.Message}; starting it again on other ports");
            }
        }
    }

    private static async Task<ServerProcess> StartGatewayOnFreePortsAsync(int siloPort, string directory, string[] settings)
    {
        var (http, grpc, metrics, silo, gateway) = (FreePort(), FreePort(), FreePort(), siloPort, FreePort());
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

        var server = new ServerProcess(Launch(start), http, grpc) { MetricsPort = metrics };
        await server.WaitReadyAsync(settings.Contains("--Cluster:HostDevices=false") ? "/v2/health/live" : "/v2/health/ready", http);
        return server;
    }

    /// <summary>A device silo (silo/GrainServe.Silo) joining the gateway whose silo port is <paramref name="primarySiloPort"/>.</summary>
    public static ServerProcess StartDeviceSilo(int primarySiloPort, params string[] settings)
    {
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(directory, "GrainServe.Silo.dll"));
        foreach (var argument in new[]
        {
            $"--Cluster:SiloPort={FreePort()}", $"--Cluster:GatewayPort={FreePort()}", $"--Cluster:PrimarySiloPort={primarySiloPort}",
            "--Cluster:SiloName=bench-node", "--Logging:LogLevel:Default=Warning", "--Runtime:IntraOpNumThreads=1",
        }.Concat(settings))
        {
            start.ArgumentList.Add(argument);
        }

        return new ServerProcess(Launch(start), 0, 0);
    }

    /// <summary>The plain ASP.NET Core baseline (bench/GrainServe.PlainServer) serving <paramref name="models"/>.</summary>
    public static async Task<ServerProcess> StartPlainAsync(string repository, string models)
    {
        var (http, grpc) = (FreePort(), FreePort());
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(directory, "GrainServe.PlainServer.dll"));
        foreach (var argument in new[] { $"--Plain:Repository={repository}", $"--Plain:Models={models}", $"--Plain:HttpPort={http}", $"--Plain:GrpcPort={grpc}" })
        {
            start.ArgumentList.Add(argument);
        }

        var server = new ServerProcess(Launch(start), http, grpc);
        await server.WaitReadyAsync("/v2/health/ready", http);
        return server;
    }

    public static int NewPort() => FreePort();

    private static Process Launch(ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.ArgumentList[0]}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[{Path.GetFileNameWithoutExtension(start.ArgumentList[0])}] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until <paramref name="path"/> on <paramref name="port"/> answers 200.</summary>
    public async Task WaitReadyAsync(string path, int port)
    {
        var process = _process;
        var server = this;
        var http = port;
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                if ((await client.GetAsync(path)).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited)
            {
                var code = process.ExitCode;
                await server.DisposeAsync();
                throw new ServerExitedException($"{process.StartInfo.ArgumentList[0]} exited with code {code} before it was ready");
            }

            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"{process.StartInfo.ArgumentList[0]} did not become ready within 90 s");
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
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
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
