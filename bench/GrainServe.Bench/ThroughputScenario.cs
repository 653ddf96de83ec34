using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using GrainServe.Contracts;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.ModelBuilder;
using GrainServe.Runtime;
using Grpc.Net.Client;

namespace GrainServe.Bench;

/// <summary>
/// GrainServe against raw ONNX Runtime and a plain ASP.NET Core server, on a tiny add model (overhead-bound) and
/// an encoder with an embedding-sized output (compute-bound), over gRPC raw, REST binary and REST JSON. Every
/// server is a separate process; arms run interleaved, forward then backward, over the rounds. <paramref name="only"/>,
/// when set, keeps the arms whose name contains it (to profile one path); targets whose arms did not run are left out.
/// <paramref name="baseline"/>, when set, is the output folder of another build of this benchmark (an earlier commit):
/// its embedded default runs beside this build's as the <c>grainserve-baseline</c> arms, so a data-path change is
/// measured side by side in one run.
/// </summary>
internal sealed class ThroughputScenario(TimeSpan duration, int rounds, int[] concurrencies, string? only = null, string? baseline = null)
{
    public const int EncoderSequence = 16;
    public const int EncoderHidden = 384;
    public const long BatchedDelayMicroseconds = 500;

    private readonly BenchRepository _repository = new();

    public async Task<List<Measurement>> RunAsync()
    {
        using (_repository)
        {
            WriteRepository();
            return await RunArmsAsync();
        }
    }

    private async Task<List<Measurement>> RunArmsAsync()
    {
        var repo = $"--ModelRepository:Path={_repository.Root}";
        await using var plain = await ServerProcess.StartPlainAsync(_repository.Root, "tiny,encoder");
        await using var one = await ServerProcess.StartAsync(repo);
        var primary = ServerProcess.NewPort();
        await using var gateway = await ServerProcess.StartGatewayAsync(primary, repo, "--Cluster:HostDevices=false", "--Cluster:SiloName=bench-gateway");
        await using var node = ServerProcess.StartDeviceSilo(primary, repo);
        gateway.ServedWith.Add(node);
        await using var before = baseline is null ? null : await ServerProcess.StartFromAsync(Path.GetFullPath(baseline), repo);
        await gateway.WaitReadyAsync("/v2/health/ready", gateway.HttpPort);
        await WaitForModelAsync(gateway, "encoder_batched");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 });
        var channels = new[] { plain, one, gateway, before }.OfType<ServerProcess>().ToDictionary(s => s, s => GrpcChannel.ForAddress($"http://127.0.0.1:{s.GrpcPort}"));
        var clients = channels.ToDictionary(c => c.Key, c => new GRPCInferenceService.GRPCInferenceServiceClient(c.Value));
        var runners = new Dictionary<string, IModelRunner> { ["tiny"] = InProcessRunner.Create(_repository.Root, "tiny"), ["encoder"] = InProcessRunner.Create(_repository.Root, "encoder") };

        var arms = new List<(string Name, int Concurrency, ServerProcess? Server, string Model, Func<int, Task<int>> Call)>();
        var top = concurrencies.Max();
        foreach (var model in new[] { "tiny", "encoder" })
        {
            foreach (var c in concurrencies)
            {
                arms.Add(($"{model} grpc plain", c, plain, model, _ => GrpcAsync(clients[plain], model, model, 1)));
                arms.Add(($"{model} grpc grainserve batching-off", c, one, model, _ => GrpcAsync(clients[one], model, model, 1)));
                arms.Add(($"{model} grpc grainserve batching-on", c, one, model + "_batched", _ => GrpcAsync(clients[one], model + "_batched", model, 1)));
                if (before is not null)
                {
                    arms.Add(($"{model} grpc grainserve-baseline batching-off", c, before, model, _ => GrpcAsync(clients[before], model, model, 1)));
                    arms.Add(($"{model} grpc grainserve-baseline batching-on", c, before, model + "_batched", _ => GrpcAsync(clients[before], model + "_batched", model, 1)));
                }
            }

            arms.Add(($"{model} grpc grainserve-2-process batching-on", top, gateway, model + "_batched", _ => GrpcAsync(clients[gateway], model + "_batched", model, 1)));
            var json = JsonBody(model, 32);
            var (header, binary) = BinaryBody(model, 32);
            foreach (var (encoding, body, data) in new[] { ("rest-json", json, (byte[]?)null), ("rest-binary", header, binary) })
            {
                arms.Add(($"{model} {encoding} b32 plain", 16, plain, model, _ => RestAsync(http, plain, model, body, data, 32)));
                arms.Add(($"{model} {encoding} b32 grainserve batching-off", 16, one, model, _ => RestAsync(http, one, model, body, data, 32)));
                arms.Add(($"{model} {encoding} b32 grainserve batching-on", 16, one, model + "_batched", _ => RestAsync(http, one, model + "_batched", body, data, 32)));
                if (before is not null)
                {
                    arms.Add(($"{model} {encoding} b32 grainserve-baseline batching-off", 16, before, model, _ => RestAsync(http, before, model, body, data, 32)));
                }
            }
        }

        arms.RemoveAll(a => only is not null && !a.Name.Contains(only, StringComparison.Ordinal));

        // Warm every path: a server's first seconds under load still run code the JIT has not optimized yet.
        foreach (var arm in arms.DistinctBy(a => (a.Server, a.Model, a.Name.Split(' ')[1])))
        {
            await LoadGenerator.RunAsync(16, TimeSpan.FromSeconds(Math.Min(3, duration.TotalSeconds)), arm.Call);
        }

        var results = new List<Measurement>();
        for (var round = 0; round < rounds; round++)
        {
            var measured = new List<Measurement>();
            foreach (var arm in round % 2 == 0 ? arms : Enumerable.Reverse(arms))
            {
                measured.Add(await MeasureAsync(arm.Name, arm.Concurrency, arm.Server, http, arm.Model, arm.Call));
            }

            // Raw ONNX Runtime at batch 1, 32 and the batch GrainServe formed for the encoder at the top concurrency.
            var formed = (int)Math.Max(1, Math.Round(measured.FirstOrDefault(m => m.Arm == "encoder grpc grainserve batching-on" && m.Concurrency == top)?.AverageBatch ?? 1));
            foreach (var (model, batch) in new[] { ("tiny", 1), ("encoder", 1), ("encoder", 32), ("encoder", formed) }.Distinct())
            {
                if (only is not null && !$"{model} onnxruntime in-process b{batch}".Contains(only, StringComparison.Ordinal))
                {
                    continue;
                }

                measured.Add(await MeasureRawAsync(runners[model], model, batch));
            }

            results.AddRange(measured);
        }

        foreach (var runner in runners.Values)
        {
            runner.Dispose();
        }

        foreach (var channel in channels.Values)
        {
            channel.Dispose();
        }

        return results;
    }

    private async Task<Measurement> MeasureAsync(string arm, int concurrency, ServerProcess? server, HttpClient http, string model, Func<int, Task<int>> call)
    {
        // Progress on stderr (stdout holds the report), so a profiler can be attached while an arm runs.
        await Console.Error.WriteLineAsync($"# measuring: {arm}, concurrency {concurrency}");
        var stats = server is not null && server.HttpPort != 0 && !arm.Contains("plain", StringComparison.Ordinal);
        var before = stats ? await server!.CountsAsync(http, model) : (0L, 0L);
        // The two-process arm counts its device silo's CPU with the gateway's.
        var cpuBefore = server?.ServingCpuTime ?? TimeSpan.Zero;
        var run = await LoadGenerator.RunAsync(concurrency, duration, call);
        var cpu = ((server?.ServingCpuTime ?? TimeSpan.Zero) - cpuBefore).TotalSeconds;
        var after = stats ? await server!.CountsAsync(http, model) : (0L, 0L);
        var batch = after.Item2 > before.Item2 ? (double)(after.Item1 - before.Item1) / (after.Item2 - before.Item2) : 1;
        return new Measurement(arm, concurrency, run.Requests, run.Rows, run.Errors, run.Elapsed, run.LatenciesMs, cpu, batch);
    }

    private async Task<Measurement> MeasureRawAsync(IModelRunner runner, string model, int batch)
    {
        var inputs = Inputs(model, batch);
        var outputs = runner.Config.Output.Select(o => o.Name).ToArray();
        var run = await LoadGenerator.RunAsync(1, duration, async _ =>
        {
            await runner.RunAsync(inputs, outputs, CancellationToken.None);
            return batch;
        });
        return new Measurement($"{model} onnxruntime in-process b{batch}", 1, run.Requests, run.Rows, run.Errors, run.Elapsed, run.LatenciesMs, 0, batch);
    }

    private static async Task<int> GrpcAsync(GRPCInferenceService.GRPCInferenceServiceClient client, string served, string model, int rows)
    {
        var request = new ModelInferRequest { ModelName = served };
        foreach (var input in Inputs(model, rows))
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = input.Datatype };
            tensor.Shape.AddRange(input.Shape);
            request.Inputs.Add(tensor);
            request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(input.Data));
        }

        var response = await client.ModelInferAsync(request);
        return response.RawOutputContents.Count > 0 ? rows : throw new InvalidOperationException("no outputs");
    }

    private static async Task<int> RestAsync(HttpClient http, ServerProcess server, string model, string json, byte[]? binary, int rows)
    {
        HttpContent content;
        if (binary is null)
        {
            content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        else
        {
            var header = Encoding.UTF8.GetBytes(json);
            content = new ByteArrayContent([.. header, .. binary]);
            content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));
        }

        using (content)
        using (var response = await http.PostAsync($"http://127.0.0.1:{server.HttpPort}/v2/models/{model}/infer", content))
        {
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }

        return rows;
    }

    private static InferTensor[] Inputs(string model, int rows)
    {
        if (model == "tiny")
        {
            var values = Enumerable.Range(0, rows * 4).Select(i => (float)i).ToArray();
            var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            return [new InferTensor("INPUT0", "FP32", [rows, 4], bytes), new InferTensor("INPUT1", "FP32", [rows, 4], bytes)];
        }

        var random = new Random(rows);
        var states = Enumerable.Range(0, rows * EncoderSequence * EncoderHidden).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        return [new InferTensor("INPUT0", "FP32", [rows, EncoderSequence, EncoderHidden], MemoryMarshal.AsBytes(states.AsSpan()).ToArray())];
    }

    private static string JsonBody(string model, int rows)
    {
        var inputs = Inputs(model, rows).Select(i =>
            $$"""{"name":"{{i.Name}}","shape":[{{string.Join(',', i.Shape)}}],"datatype":"FP32","data":[{{string.Join(',', MemoryMarshal.Cast<byte, float>(i.Data).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}]}""");
        return $$"""{"inputs":[{{string.Join(',', inputs)}}]}""";
    }

    private static (string Header, byte[] Binary) BinaryBody(string model, int rows)
    {
        var inputs = Inputs(model, rows);
        var described = inputs.Select(i =>
            "{\"name\":\"" + i.Name + "\",\"shape\":[" + string.Join(',', i.Shape) + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + i.Data.Length + "}}");
        var header = "{\"parameters\":{\"binary_data_output\":true},\"inputs\":[" + string.Join(',', described) + "]}";
        return (header, inputs.SelectMany(i => i.Data).ToArray());
    }

    private static async Task WaitForModelAsync(ServerProcess gateway, string model)
    {
        using var client = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            if ((await client.GetAsync($"http://127.0.0.1:{gateway.HttpPort}/v2/models/{model}/ready")).IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"{model} did not become ready on the two-process cluster");
    }

    private void WriteRepository()
    {
        var encoder = SampleModels.Encoder(layers: 4, EncoderSequence, EncoderHidden, ffn: 1536);
        var tiny = SampleModels.AddSub("FP32", 4);
        _repository.Write("tiny", tiny, """{ "max_batch_size": 64 }""");
        _repository.Write("tiny_batched", tiny, $$"""{ "max_batch_size": 64, "dynamic_batching": { "max_queue_delay_microseconds": {{BatchedDelayMicroseconds}} } }""");
        // One instance per core, as Triton's instance_group does on a CPU: two batches run at once on 2 cores, as the
        // plain server runs two requests at once.
        _repository.Write("encoder", encoder, """{ "max_batch_size": 64, "instance_group": [{ "count": 2, "kind": "KIND_CPU" }] }""");
        _repository.Write("encoder_batched", encoder, $$"""{ "max_batch_size": 64, "dynamic_batching": { "max_queue_delay_microseconds": {{BatchedDelayMicroseconds}} }, "instance_group": [{ "count": 2, "kind": "KIND_CPU" }] }""");
    }

    /// <summary>The table of per-arm medians, then each target's ratio per round and its median.</summary>
    public static string Report(IReadOnlyList<Measurement> results, int rounds, int top)
    {
        var text = new StringBuilder();
        text.AppendLine("| arm | concurrency | rows/s | p50 ms | p99 ms | server CPU µs/request | average batch | errors |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in results.GroupBy(r => (r.Arm, r.Concurrency)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Arm} | {group.Key.Concurrency} | {group.Median(r => r.RowsPerSecond):0} | {group.Median(r => r.P50):0.00} | {group.Median(r => r.P99):0.00} | {(group.First().ServerCpuSeconds > 0 ? group.Median(r => r.CpuMicrosecondsPerRequest).ToString("0", CultureInfo.InvariantCulture) : "-")} | {group.Median(r => r.AverageBatch):0.0} | {group.Sum(r => r.Errors)} |");
        }

        var perRound = results.Count / rounds;
        var roundsOf = Enumerable.Range(0, rounds).Select(r => results.Skip(r * perRound).Take(perRound).ToList()).ToList();
        Measurement Find(List<Measurement> round, string arm, int concurrency) =>
            round.FirstOrDefault(m => m.Arm == arm && m.Concurrency == concurrency) ?? throw new KeyNotFoundException(arm);
        Measurement Raw(List<Measurement> round, string model, double batch) => Find(round, $"{model} onnxruntime in-process b{(int)Math.Max(1, Math.Round(batch))}", 1);

        void Target(string what, string goal, Func<List<Measurement>, double> value)
        {
            List<double> values;
            try
            {
                values = roundsOf.Select(value).ToList();
            }
            catch (KeyNotFoundException)
            {
                // An arm it needs was filtered out with --only.
                return;
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {goal} | {values.Median(v => v):0.00} | {string.Join(", ", values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))} |");
        }

        text.AppendLine();
        text.AppendLine("| target | goal | median | per round |");
        text.AppendLine("| --- | --- | ---: | --- |");
        Target($"encoder, gRPC, c{top}: GrainServe batching ÷ plain server", "≥ 2", r => Find(r, "encoder grpc grainserve batching-on", top).RowsPerSecond / Find(r, "encoder grpc plain", top).RowsPerSecond);
        Target($"encoder, gRPC, c{top}: GrainServe batching ÷ raw ONNX Runtime at the batch formed", "≥ 0.7", r =>
        {
            var served = Find(r, "encoder grpc grainserve batching-on", top);
            return served.RowsPerSecond / Raw(r, "encoder", served.AverageBatch).RowsPerSecond;
        });
        Target($"tiny, gRPC, c{top}, batching off: GrainServe ÷ plain server", "≥ 0.8", r => Find(r, "tiny grpc grainserve batching-off", top).RowsPerSecond / Find(r, "tiny grpc plain", top).RowsPerSecond);
        Target($"tiny, gRPC, c{top}, batching off: server CPU µs/request above plain", "≤ 30", r => Find(r, "tiny grpc grainserve batching-off", top).CpuMicrosecondsPerRequest - Find(r, "tiny grpc plain", top).CpuMicrosecondsPerRequest);
        Target($"tiny, gRPC, c1: p50 with batching − without (ms; max_queue_delay {BatchedDelayMicroseconds / 1000.0:0.0} ms)", $"≤ {BatchedDelayMicroseconds / 1000.0 + 0.3:0.0}", r => Find(r, "tiny grpc grainserve batching-on", 1).P50 - Find(r, "tiny grpc grainserve batching-off", 1).P50);
        Target("encoder, REST at batch 32: binary ÷ JSON", "≥ 3", r => Find(r, "encoder rest-binary b32 grainserve batching-on", 16).RowsPerSecond / Find(r, "encoder rest-json b32 grainserve batching-on", 16).RowsPerSecond);
        Target("tiny, REST at batch 32: binary ÷ JSON", "≥ 3", r => Find(r, "tiny rest-binary b32 grainserve batching-on", 16).RowsPerSecond / Find(r, "tiny rest-json b32 grainserve batching-on", 16).RowsPerSecond);
        Target("encoder, REST binary at batch 32: GrainServe batching ÷ plain server", "(none)", r => Find(r, "encoder rest-binary b32 grainserve batching-on", 16).RowsPerSecond / Find(r, "encoder rest-binary b32 plain", 16).RowsPerSecond);
        Target("encoder, REST JSON at batch 32: GrainServe batching ÷ plain server", "(none)", r => Find(r, "encoder rest-json b32 grainserve batching-on", 16).RowsPerSecond / Find(r, "encoder rest-json b32 plain", 16).RowsPerSecond);
        foreach (var model in new[] { "tiny", "encoder" })
        {
            Target($"{model}, gRPC, c{top}, batching off: this build ÷ --baseline build", "(none)", r => Find(r, $"{model} grpc grainserve batching-off", top).RowsPerSecond / Find(r, $"{model} grpc grainserve-baseline batching-off", top).RowsPerSecond);
            Target($"{model}, gRPC, c{top}, batching on: this build ÷ --baseline build", "(none)", r => Find(r, $"{model} grpc grainserve batching-on", top).RowsPerSecond / Find(r, $"{model} grpc grainserve-baseline batching-on", top).RowsPerSecond);
        }

        // Issue 12's targets for the tiny model, where the serving path is all there is to measure.
        Target($"tiny, gRPC, c{top}, batching off: GrainServe ÷ plain server (issue 12)", "≥ 0.95", r => Find(r, "tiny grpc grainserve batching-off", top).RowsPerSecond / Find(r, "tiny grpc plain", top).RowsPerSecond);
        Target($"tiny, gRPC, c{top}, batching off: server CPU per request ÷ plain", "≤ 1.2", r => Find(r, "tiny grpc grainserve batching-off", top).CpuMicrosecondsPerRequest / Find(r, "tiny grpc plain", top).CpuMicrosecondsPerRequest);
        Target($"tiny, gRPC, c{top}, batching on: two processes ÷ one", "≥ 0.9", r => Find(r, "tiny grpc grainserve-2-process batching-on", top).RowsPerSecond / Find(r, "tiny grpc grainserve batching-on", top).RowsPerSecond);
        Target($"tiny, gRPC, c{top}, batching on: two processes' CPU per request (both counted) ÷ one's", "(none)", r => Find(r, "tiny grpc grainserve-2-process batching-on", top).CpuMicrosecondsPerRequest / Find(r, "tiny grpc grainserve batching-on", top).CpuMicrosecondsPerRequest);
        foreach (var encoding in new[] { "rest-json", "rest-binary" })
        {
            Target($"tiny, {encoding} at batch 32, batching off: GrainServe ÷ plain server", "≥ 0.9", r => Find(r, $"tiny {encoding} b32 grainserve batching-off", 16).RowsPerSecond / Find(r, $"tiny {encoding} b32 plain", 16).RowsPerSecond);
            Target($"tiny, {encoding} at batch 32, batching on: GrainServe ÷ plain server", "(none)", r => Find(r, $"tiny {encoding} b32 grainserve batching-on", 16).RowsPerSecond / Find(r, $"tiny {encoding} b32 plain", 16).RowsPerSecond);
            Target($"tiny, {encoding} at batch 32, batching off: server CPU per request ÷ plain", "(none)", r => Find(r, $"tiny {encoding} b32 grainserve batching-off", 16).CpuMicrosecondsPerRequest / Find(r, $"tiny {encoding} b32 plain", 16).CpuMicrosecondsPerRequest);
            Target($"tiny, {encoding} at batch 32, batching off: this build ÷ --baseline build", "(none)", r => Find(r, $"tiny {encoding} b32 grainserve batching-off", 16).RowsPerSecond / Find(r, $"tiny {encoding} b32 grainserve-baseline batching-off", 16).RowsPerSecond);
        }

        Target($"encoder, gRPC, c{top}: two processes ÷ one process", "≥ 0.8", r => Find(r, "encoder grpc grainserve-2-process batching-on", top).RowsPerSecond / Find(r, "encoder grpc grainserve batching-on", top).RowsPerSecond);
        return text.ToString();
    }
}
