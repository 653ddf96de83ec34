using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GrainServe.ModelBuilder;

namespace GrainServe.Bench;

/// <summary>
/// What a cold start costs a request: the sample models <c>simple</c>, <c>add_sub</c> and <c>tiny_llama</c> and the real
/// embedding model <c>arctic_embed_xs</c>, each configured to scale to zero after 1 s idle, served by one
/// embedded-default process. Each round, for each request kind, it waits until no model has an instance left (so
/// no load or unload runs beside the one measured), times one request from send to complete answer, then times a
/// second one right after on the instance the first loaded.
/// </summary>
internal sealed class ColdStartScenario(int rounds)
{
    private const string Embedding = "arctic_embed_xs";
    private const string Generation = "tiny_llama";

    private static readonly string[] SampleModels = ["simple", "add_sub", Generation];

    private readonly BenchRepository _repository = new();

    public async Task<List<ColdStartMeasurement>> RunAsync()
    {
        using (_repository)
        {
            var sizes = WriteRepository();
            await using var server = await ServerProcess.StartAsync($"--ModelRepository:Path={_repository.Root}");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}"), Timeout = TimeSpan.FromMinutes(2) };
            var models = sizes.Keys.ToArray();
            var probes = Probes(http);

            // An unmeasured round first, from zero: the first cold start measured would otherwise also pay for the
            // process's first request of its kind and first run of the cold-start path (JIT, tokenizer, connection).
            await WaitForZeroAsync(http, models);
            foreach (var (_, _, send) in probes)
            {
                await send();
            }

            var results = new List<ColdStartMeasurement>();
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (model, request, send) in probes)
                {
                    await WaitForZeroAsync(http, models);
                    var (coldMs, coldOk) = await send();
                    var (warmMs, warmOk) = await send();
                    Console.Error.WriteLine($"round {round + 1}, {model} {request}: cold {ServerProcess.Text(coldMs)} ms, warm {ServerProcess.Text(warmMs)} ms");
                    results.Add(new ColdStartMeasurement(model, request, round, coldMs, warmMs, sizes[model], coldOk && warmOk));
                }
            }

            return results;
        }
    }

    /// <summary>Per request kind: cold median, min and max over the rounds, and the warm request's median.</summary>
    public static string Report(IReadOnlyList<ColdStartMeasurement> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| model | request | model.onnx | cold p50 ms | cold min ms | cold max ms | warm p50 ms | rounds | not 200 |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in results.GroupBy(r => (r.Model, r.Request)))
        {
            var m = group.ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Model} | {group.Key.Request} | {Size(m[0].ModelBytes)} | {m.Median(r => r.ColdMs):F1} | {m.Min(r => r.ColdMs):F1} | {m.Max(r => r.ColdMs):F1} | {m.Median(r => r.WarmMs):F1} | {m.Count} | {m.Count(r => !r.Answered)} |");
        }

        return text.ToString();
    }

    // The three sample models as SampleRepository writes them and arctic_embed_xs linked from the build output, each
    // with a scale-to-zero block; returns each model's model.onnx size.
    private Dictionary<string, long> WriteRepository()
    {
        var sizes = new Dictionary<string, long>();
        foreach (var (path, content) in SampleRepository.Files().Where(f => SampleModels.Contains(f.Path.Split('/')[0])))
        {
            var full = Path.Combine(_repository.Root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var isConfig = Path.GetFileName(path) == "config.json";
            File.WriteAllBytes(full, isConfig ? Encoding.UTF8.GetBytes(ScaleToZero(Encoding.UTF8.GetString(content))) : content);
            if (Path.GetFileName(path) == "model.onnx")
            {
                sizes[path.Split('/')[0]] = content.Length;
            }
        }

        var source = Path.Combine(AppContext.BaseDirectory, "models", Embedding);
        _repository.Link(Embedding, Path.Combine(source, "1"), ["model.onnx", "vocab.txt"], ScaleToZero(File.ReadAllText(Path.Combine(source, "config.json"))));
        sizes[Embedding] = new FileInfo(Path.Combine(source, "1", "model.onnx")).Length;
        return sizes;
    }

    private static string ScaleToZero(string config)
    {
        var node = JsonNode.Parse(config)!;
        node["autoscaling"] = new JsonObject { ["min_instances"] = 0, ["max_instances"] = 1, ["scale_to_zero_delay_s"] = 1 };
        return node.ToJsonString();
    }

    private static (string Model, string Request, Func<Task<(double Ms, bool Ok)>> Send)[] Probes(HttpClient http)
    {
        var ints = string.Join(',', Enumerable.Range(0, 16));
        var floats = "1.0,2.0,3.0,4.0";
        var completion = $$"""{"model":"{{Generation}}","prompt":"Once upon a time","max_tokens":1,"temperature":0}""";
        var stream = $$"""{"model":"{{Generation}}","prompt":"Once upon a time","max_tokens":1,"temperature":0,"stream":true}""";
        return
        [
            ("simple", "V2 infer", () => InferAsync(http, "simple", $$"""{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[{{ints}}]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[{{ints}}]}]}""")),
            ("add_sub", "V2 infer", () => InferAsync(http, "add_sub", $$"""{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","data":[{{floats}}]},{"name":"INPUT1","shape":[1,4],"datatype":"FP32","data":[{{floats}}]}]}""")),
            (Embedding, "V2 infer", () => InferAsync(http, Embedding, $$"""{"inputs":[{"name":"TEXT","shape":[1,1],"datatype":"BYTES","data":["{{Sentences.Corpus[0]}}"]}],"outputs":[{"name":"EMBEDDING"}]}""")),
            (Generation, "completion, max_tokens 1", () => CompletionAsync(http, completion)),
            (Generation, "stream, first token", () => FirstTokenAsync(http, stream)),
        ];
    }

    private static async Task<(double Ms, bool Ok)> InferAsync(HttpClient http, string model, string body)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync($"/v2/models/{model}/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        var answer = await response.Content.ReadAsStringAsync();
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (ms, Answered(response, answer) && JsonNode.Parse(answer)?["outputs"] is JsonArray { Count: > 0 });
    }

    private static async Task<(double Ms, bool Ok)> CompletionAsync(HttpClient http, string body)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync("/v1/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var answer = await response.Content.ReadAsStringAsync();
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (ms, Answered(response, answer) && JsonNode.Parse(answer)?["choices"] is JsonArray { Count: 1 });
    }

    // Time to the first event that carries a token; the rest of the stream is read (untimed) so that the warm request
    // after it finds the sequence finished.
    private static async Task<(double Ms, bool Ok)> FirstTokenAsync(HttpClient http, string body)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double first = -1;
        var (done, failed) = (false, false);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (first < 0 && line.StartsWith("data: {\"id\"", StringComparison.Ordinal) && line.Contains("\"choices\":[{", StringComparison.Ordinal))
            {
                first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            // Past the headers an error travels as an event of its own, and the stream still ends with [DONE].
            if (line.StartsWith("data: {\"error\"", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"stream: {line}");
                failed = true;
            }

            done |= line == "data: [DONE]";
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            Console.Error.WriteLine($"stream: {(int)response.StatusCode}");
        }

        return (first < 0 ? Stopwatch.GetElapsedTime(started).TotalMilliseconds : first, response.StatusCode == HttpStatusCode.OK && first >= 0 && done && !failed);
    }

    private static string Size(long bytes) => bytes < 1 << 20
        ? (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB"
        : (bytes / (double)(1 << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static bool Answered(HttpResponseMessage response, string answer)
    {
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return true;
        }

        Console.Error.WriteLine($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {answer}");
        return false;
    }

    // Until every model's instances route lists none: an instance still unloading (UNLOADING) counts, since its
    // unload would run beside the cold start measured next.
    private static async Task WaitForZeroAsync(HttpClient http, string[] models)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var model in models)
        {
            while (JsonNode.Parse(await http.GetStringAsync($"/v2/models/{model}/instances"))?["instances"] is JsonArray { Count: > 0 })
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"{model} still has instances after 60 s with scale_to_zero_delay_s 1");
                }

                await Task.Delay(100);
            }
        }
    }
}
