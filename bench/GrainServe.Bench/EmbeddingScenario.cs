using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using GrainServe.Contracts;
using GrainServe.Embeddings;
using GrainServe.Gateway.Grpc.Protocol;
using Grpc.Net.Client;

namespace GrainServe.Bench;

/// <summary>
/// Sentences per second for arctic-embed-xs: GrainServe over gRPC (raw) and REST (V2 JSON) at concurrency 1 and 64,
/// one sentence per request, against the same pipeline run in-process at the batch size the server formed. The
/// model is served twice, with length bucketing (the default) and padded to each batch's longest text
/// (<c>max_padding_fraction</c> 1), to measure what bucketing moves. Arms run interleaved (A B B A) over several
/// rounds; ratios are taken within a round.
/// </summary>
internal sealed class EmbeddingScenario(TimeSpan duration, int rounds, int[] concurrencies)
{
    private const string Model = "arctic_embed_xs";
    private const string Padded = "arctic_embed_xs_padded";

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
        var results = new List<Measurement>();
        await using var server = await ServerProcess.StartAsync($"--ModelRepository:Path={_repository.Root}");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 });
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.GrpcPort}");
        var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        using var inProcess = (SentenceEmbeddingRunner)InProcessRunner.Create(_repository.Root, Model);
        using var inProcessPadded = (SentenceEmbeddingRunner)InProcessRunner.Create(_repository.Root, Padded);

        // Warm up every path and the runtime's allocator.
        await LoadGenerator.RunAsync(8, TimeSpan.FromSeconds(2), i => GrpcAsync(grpc, Model, i));
        await LoadGenerator.RunAsync(8, TimeSpan.FromSeconds(2), i => GrpcAsync(grpc, Padded, i));
        await LoadGenerator.RunAsync(8, TimeSpan.FromSeconds(1), i => RestAsync(http, server, i));

        for (var round = 0; round < rounds; round++)
        {
            var served = new List<Measurement>();
            foreach (var c in round % 2 == 0 ? concurrencies : concurrencies.Reverse())
            {
                served.Add(await MeasureServedAsync("grainserve-grpc", Model, c, server, http, i => GrpcAsync(grpc, Model, i)));
                served.Add(await MeasureServedAsync("grainserve-grpc-padded", Padded, c, server, http, i => GrpcAsync(grpc, Padded, i)));
                served.Add(await MeasureServedAsync("grainserve-rest", Model, c, server, http, i => RestAsync(http, server, i)));
            }

            // The in-process reference runs at the batch size the server formed under the highest load.
            var formed = Math.Max(1, (int)Math.Round(served.Where(m => m.Concurrency == concurrencies.Max() && m.Arm != "grainserve-grpc-padded").Average(m => m.AverageBatch)));
            var reference = await MeasureInProcessAsync(inProcess, formed, "");
            var paddedReference = await MeasureInProcessAsync(inProcessPadded, formed, "-padded");
            var single = await MeasureInProcessAsync(inProcess, 1, "");
            results.AddRange(round % 2 == 0 ? [.. served, reference, paddedReference, single] : [single, paddedReference, reference, .. served]);
        }

        return results;
    }

    // The sample repository's arctic_embed_xs, linked (not copied), and the same model padded to each batch's longest text.
    private void WriteRepository()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "models", Model);
        foreach (var (name, padding) in new[] { (Model, (string?)null), (Padded, "1") })
        {
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "config.json")))!;
            config["name"] = name;
            if (padding is not null)
            {
                config["parameters"]!["max_padding_fraction"] = new JsonObject { ["string_value"] = padding };
            }

            _repository.Link(name, Path.Combine(source, "1"), ["model.onnx", "vocab.txt"], config.ToJsonString());
        }
    }

    private async Task<Measurement> MeasureServedAsync(string arm, string model, int concurrency, ServerProcess server, HttpClient http, Func<int, Task<int>> call)
    {
        var (rowsBefore, batchesBefore) = await server.CountsAsync(http, model);
        var cpuBefore = server.CpuTime;
        var run = await LoadGenerator.RunAsync(concurrency, duration, call);
        var cpu = (server.CpuTime - cpuBefore).TotalSeconds;
        var (rowsAfter, batchesAfter) = await server.CountsAsync(http, model);
        var batch = batchesAfter > batchesBefore ? (double)(rowsAfter - rowsBefore) / (batchesAfter - batchesBefore) : 0;
        return new Measurement(arm, concurrency, run.Requests, run.Rows, run.Errors, run.Elapsed, run.LatenciesMs, cpu, batch);
    }

    private async Task<Measurement> MeasureInProcessAsync(SentenceEmbeddingRunner runner, int batch, string suffix)
    {
        // One caller, batches back to back: a device runs one batch at a time, as the server's instance does.
        var run = await LoadGenerator.RunAsync(1, duration, async i =>
        {
            var texts = Enumerable.Range(i * batch, batch).Select(k => Sentences.Corpus[k % Sentences.Corpus.Length]).ToArray();
            await runner.RunAsync([new InferTensor("TEXT", "BYTES", [batch, 1], BytesElements.Pack(texts.Select(Encoding.UTF8.GetBytes).ToList()))], ["EMBEDDING", "TOKEN_COUNT"], CancellationToken.None);
            return batch;
        });
        return new Measurement($"in-process-b{batch}{suffix}", 1, run.Requests, run.Rows, run.Errors, run.Elapsed, run.LatenciesMs, 0, batch);
    }

    private static async Task<int> GrpcAsync(GRPCInferenceService.GRPCInferenceServiceClient client, string model, int i)
    {
        var request = new ModelInferRequest { ModelName = model };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "TEXT", Datatype = "BYTES" };
        input.Shape.AddRange([1, 1]);
        request.Inputs.Add(input);
        request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(BytesElements.Pack([Encoding.UTF8.GetBytes(Sentences.Corpus[i % Sentences.Corpus.Length])])));
        var response = await client.ModelInferAsync(request);
        return response.RawOutputContents[0].Length == 384 * 4 ? 1 : throw new InvalidOperationException("unexpected embedding size");
    }

    private static async Task<int> RestAsync(HttpClient http, ServerProcess server, int i)
    {
        var body = $$"""{"inputs":[{"name":"TEXT","shape":[1,1],"datatype":"BYTES","data":["{{Sentences.Corpus[i % Sentences.Corpus.Length]}}"]}],"outputs":[{"name":"EMBEDDING"}]}""";
        using var response = await http.PostAsync($"http://127.0.0.1:{server.HttpPort}/v2/models/{Model}/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
        return 1;
    }

    /// <summary>The report: every measurement, then per round the ratio of served c64 to in-process at the batch formed.</summary>
    public static string Report(IReadOnlyList<Measurement> results, int rounds)
    {
        var text = new StringBuilder();
        text.AppendLine("| arm | concurrency | sentences/s | p50 ms | p99 ms | server CPU µs/request | average batch | errors |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in results.GroupBy(r => (r.Arm, r.Concurrency)).OrderBy(g => g.Key.Arm, StringComparer.Ordinal).ThenBy(g => g.Key.Concurrency))
        {
            var m = group.OrderBy(r => r.RowsPerSecond).ElementAt(group.Count() / 2);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Arm} | {group.Key.Concurrency} | {group.Median(r => r.RowsPerSecond):0.0} | {group.Median(r => r.P50):0.00} | {group.Median(r => r.P99):0.00} | {(m.ServerCpuSeconds > 0 ? group.Median(r => r.CpuMicrosecondsPerRequest).ToString("0", CultureInfo.InvariantCulture) : "-")} | {group.Median(r => r.AverageBatch):0.0} | {group.Sum(r => r.Errors)} |");
        }

        var perRound = results.Count / rounds;
        var roundsOf = Enumerable.Range(0, rounds).Select(r => results.Skip(r * perRound).Take(perRound).ToList()).ToList();
        Measurement Top(List<Measurement> round, string arm) => round.Where(m => m.Arm == arm).MaxBy(m => m.Concurrency)!;
        Measurement Formed(List<Measurement> round, string suffix) =>
            round.First(m => m.Arm.StartsWith("in-process-b", StringComparison.Ordinal) && m.Arm != "in-process-b1" && m.Arm.EndsWith(suffix, StringComparison.Ordinal) && (suffix.Length > 0 || !m.Arm.EndsWith("-padded", StringComparison.Ordinal)));

        void Ratio(string what, Func<List<Measurement>, double> value)
        {
            var ratios = roundsOf.Select(value).ToList();
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{what}: median {ratios.Median(x => x):0.00} (rounds: {string.Join(", ", ratios.Select(x => x.ToString("0.00", CultureInfo.InvariantCulture)))})");
        }

        foreach (var arm in new[] { "grainserve-grpc", "grainserve-rest" })
        {
            Ratio($"{arm} at the highest concurrency ÷ in-process at the batch formed", r => Top(r, arm).RowsPerSecond / Formed(r, "").RowsPerSecond);
        }

        Ratio("length bucketing, gRPC at the highest concurrency: bucketed ÷ padded", r => Top(r, "grainserve-grpc").RowsPerSecond / Top(r, "grainserve-grpc-padded").RowsPerSecond);
        Ratio("length bucketing, in-process at the batch formed: bucketed ÷ padded", r => Formed(r, "").RowsPerSecond / Formed(r, "-padded").RowsPerSecond);
        return text.ToString();
    }
}
