using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.ModelBuilder;
using GrainServe.ModelBuilder.Audio;
using GrainServe.ModelBuilder.Whisper;
using Grpc.Core;
using Grpc.Net.Client;

namespace GrainServe.Bench;

/// <summary>
/// Mixed load over every kind of route for a set time (V2 REST JSON inference, gRPC inference, V2 generate_stream,
/// OpenAI streamed chat completions, embeddings, a transcription), while the server process's memory, handles and
/// threads are sampled. After a warm-up, each should stay flat (growth of the last samples over the first at most
/// 10%), and every request sent must be answered: a request with no answer is lost; the non-2xx answers are counted
/// by status.
/// </summary>
internal sealed class SoakScenario(TimeSpan duration, int concurrency, TimeSpan sampleEvery, bool smoke)
{
    private const string Whisper = "soak_whisper";
    private const double GrowthTarget = 0.10;

    private readonly BenchRepository _repository = new();

    public TimeSpan WarmUp => smoke ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, duration.Ticks / 5));

    public async Task<(IReadOnlyList<SoakRoute> Routes, IReadOnlyList<ProcessSample> Samples)> RunAsync()
    {
        using (_repository)
        {
            WriteRepository();
            await using var server = await ServerProcess.StartAsync($"--ModelRepository:Path={_repository.Root}");
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}"), Timeout = TimeSpan.FromMinutes(2) };
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.GrpcPort}");
            var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            var audio = TranscriptionBody(SpeechWav(smoke ? 1 : 4));
            SoakRoute[] routes =
            [
                new("v2 rest json infer", _ => PostAsync(http, "/v2/models/simple/infer", SimpleJson)),
                new("grpc infer", _ => GrpcInferAsync(grpc)),
                new("v2 generate_stream", s => StreamAsync(http, "/v2/models/tiny_llama/generate_stream", $$$"""{"text_input":"Soak {{{s}}}","parameters":{"max_tokens":8,"temperature":0}}""")),
                new("openai chat stream", s => StreamAsync(http, "/v1/chat/completions", $$$"""{"model":"tiny_llama","messages":[{"role":"user","content":"Soak {{{s}}}"}],"max_tokens":8,"stream":true,"stream_options":{"include_usage":true}}""")),
                new("openai embeddings", s => PostAsync(http, "/v1/embeddings", JsonSerializer.Serialize(new { model = "arctic_embed_xs", input = new[] { Sentences.Corpus[s % 256], Sentences.Corpus[(s + 1) % 256] } }))),
                new("v2 transcription", _ => TranscribeAsync(http, audio)),
                new("openai speech", s => PostAsync(http, "/v1/audio/speech", $$$"""{"model":"tiny_piper","input":"Soak {{{s}}}. A second sentence.","voice":"alloy","response_format":"wav"}""")),
            ];

            Console.Error.WriteLine($"soak: {duration.TotalMinutes:0.##} min, {concurrency} workers over {routes.Length} routes, a sample every {sampleEvery.TotalSeconds:0} s, warm-up {WarmUp.TotalSeconds:0} s");
            var sampler = new ProcessSampler(server.ProcessId, sampleEvery);
            using var stop = new CancellationTokenSource();
            var sampling = sampler.RunAsync(stop.Token);
            // Each worker walks the routes from its own starting point, so that every route is always in flight.
            await LoadGenerator.RunAsync(concurrency, duration, async sequence =>
            {
                await routes[(sequence / 7919 + sequence % 7919) % routes.Length].SendAsync(sequence);
                return 1;
            });
            stop.Cancel();
            await sampling;
            return (routes, sampler.Samples);
        }
    }

    /// <summary>The route table, the process samples (after warm-up, condensed to about a dozen rows) and the growth of each measure.</summary>
    public string Report(IReadOnlyList<SoakRoute> routes, IReadOnlyList<ProcessSample> samples)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.##} min of mixed load, {concurrency} closed-loop workers; warm-up {WarmUp.TotalSeconds:0} s; a sample every {sampleEvery.TotalSeconds:0} s");
        text.AppendLine();
        text.AppendLine("| route | sent | answered | lost | non-2xx by status |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var route in routes)
        {
            var failures = route.Failures.IsEmpty ? "none" : string.Join(", ", route.Failures.OrderBy(f => f.Key).Select(f => $"{f.Key}: {f.Value}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {route.Name} | {route.Sent} | {route.Answered} | {route.Lost} | {failures} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| all | {routes.Sum(r => r.Sent)} | {routes.Sum(r => r.Answered)} | {routes.Sum(r => r.Lost)} | {routes.Sum(r => r.Failures.Values.Sum())} |");
        text.AppendLine();
        var steady = samples.Where(s => s.At >= WarmUp).ToList();
        if (steady.Count < 2)
        {
            text.AppendLine("too few samples after the warm-up to measure growth");
            return text.ToString();
        }

        text.AppendLine("| at s | RSS MiB | private MiB | handles | threads |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: |");
        var step = Math.Max(1, steady.Count / 12);
        foreach (var sample in steady.Where((_, i) => i % step == 0 || i == steady.Count - 1))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {sample.At.TotalSeconds:0} | {sample.ResidentBytes / 1048576.0:0.0} | {sample.PrivateBytes / 1048576.0:0.0} | {sample.Handles} | {sample.Threads} |");
        }

        text.AppendLine();
        text.AppendLine("| measure | after warm-up | at the end | growth | target |");
        text.AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var (name, value) in new (string, Func<ProcessSample, double>)[]
        {
            ("RSS MiB", s => s.ResidentBytes / 1048576.0), ("private MiB", s => s.PrivateBytes / 1048576.0), ("handles", s => s.Handles), ("threads", s => s.Threads),
        })
        {
            var (first, last) = Ends(steady, value);
            var growth = (last - first) / first;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {first:0.#} | {last:0.#} | {growth * 100:+0.0;-0.0}% | {(growth <= GrowthTarget ? "≤ 10%: met" : "≤ 10%: MISSED")} |");
        }

        return text.ToString();
    }

    /// <summary>Whether every request was answered and every route answered at least once with a success.</summary>
    public static bool AllAnswered(IReadOnlyList<SoakRoute> routes) => routes.All(r => r.Lost == 0 && r.Answered > r.Failures.Values.Sum());

    // The median of the first and of the last three samples, so that one collection's spike does not decide the growth.
    private static (double First, double Last) Ends(List<ProcessSample> steady, Func<ProcessSample, double> value)
    {
        var n = Math.Min(3, steady.Count / 2);
        return (steady.Take(n).Median(value), steady.TakeLast(n).Median(value));
    }

    private const string SimpleJson = """
        {"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}
        """;

    private static async Task<int> PostAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    // A stream is answered when it ends; its events are read to the end so that nothing is left in flight.
    private static async Task<int> StreamAsync(HttpClient http, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
        return (int)response.StatusCode;
    }

    private static async Task<int> GrpcInferAsync(GRPCInferenceService.GRPCInferenceServiceClient client)
    {
        var request = new ModelInferRequest { ModelName = "simple" };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32" };
            input.Shape.AddRange([1, 16]);
            request.Inputs.Add(input);
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[64]));
        }

        try
        {
            await client.ModelInferAsync(request);
            return 200;
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Unavailable || ex.Status.Detail.Length > 0)
        {
            // The protocol's own mapping, for the table: an answer, not a lost request.
            return ex.StatusCode switch
            {
                StatusCode.InvalidArgument => 400,
                StatusCode.NotFound => 404,
                StatusCode.ResourceExhausted => 429,
                StatusCode.Unavailable => 503,
                StatusCode.DeadlineExceeded => 504,
                _ => 500,
            };
        }
    }

    private static async Task<int> TranscribeAsync(HttpClient http, (byte[] Bytes, int HeaderLength) body)
    {
        using var content = new ByteArrayContent(body.Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", body.HeaderLength.ToString(CultureInfo.InvariantCulture));
        using var response = await http.PostAsync($"/v2/models/{Whisper}/infer", content);
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    // The transcribe scenario's request: the decode length pinned (4 tokens a window, no fallback), since a random-weight
    // decoder rarely ends a window by itself.
    private static (byte[] Bytes, int HeaderLength) TranscriptionBody(byte[] wav)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "audio", ["shape"] = new JsonArray(1), ["datatype"] = "BYTES",
                ["parameters"] = new JsonObject { ["binary_data_size"] = 4 + wav.Length },
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "text" }),
            ["parameters"] = new JsonObject { ["max_tokens"] = 4, ["ignore_eos"] = true, ["temperature_increment_on_fallback"] = 0, ["seed"] = 1 },
        });
        return ([.. header, .. BitConverter.GetBytes(wav.Length), .. wav], header.Length);
    }

    // A 220 Hz tone with a 3 Hz tremolo: enough structure for the encoder to run on, no speech needed.
    private static byte[] SpeechWav(double seconds)
    {
        const int Rate = 16000;
        return Pcm16Wav.Create(Rate, (int)(seconds * Rate), i => (short)(6000 * Math.Sin(2 * Math.PI * 220 * i / Rate) * (1 + Math.Sin(2 * Math.PI * 3 * i / Rate))));
    }

    // The sample repository beside the binaries (simple, tiny_llama, arctic_embed_xs, ...) linked in, plus a small
    // Whisper model of tiny's audio and text shapes (two narrow layers, random weights), built here and not committed.
    private void WriteRepository()
    {
        // whisper_tiny's 150 MB of weights would only slow the start; the soak's own Whisper is below.
        foreach (var model in Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "models")).Where(m => !Path.GetFileName(m).StartsWith("whisper", StringComparison.Ordinal)))
        {
            Directory.CreateDirectory(_repository.Root);
            Directory.CreateSymbolicLink(Path.Combine(_repository.Root, Path.GetFileName(model)), model);
        }

        var config = JsonNode.Parse(SampleRepository.WhisperConfig(Whisper, kvCacheBytes: 64L << 20))!;
        _repository.Write(Whisper, WhisperModel.Files(new WhisperDims(2, 2, 64, 2, 32, 128, 80, 1500, 448, 51864)), config.ToJsonString());
    }
}
