using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrainServe.ModelBuilder;
using GrainServe.ModelBuilder.Whisper;

namespace GrainServe.Bench;

/// <summary>
/// Speech-to-text throughput: one fixed clip transcribed over and over through the gateway's V2 REST binary route by
/// a Whisper model of whisper-tiny's shapes (random FP32 weights, built at bench time and not committed), one file at
/// a time and several at once, on the same server. Each window is encoded once and decoded on the instance's
/// continuous-batching engine, so concurrent transcriptions share decode steps; the target is how much more audio
/// per second that serves than transcribing one file at a time. Arms run interleaved over rounds, ratios are taken
/// within a round.
/// </summary>
/// <remarks>
/// With a beam size every window is beam-searched (whisper's BeamSearchDecoder; the beams fork their parent's KV cache
/// on the engine), at the same pinned length.
/// </remarks>
internal sealed class TranscribeScenario(TimeSpan duration, int rounds, int[] concurrencies, bool smoke, int? beamSize = null)
{
    private const string Model = "bench_whisper";
    private const double ClipSeconds = 20;

    // 512 MiB holds about 24 windows of tiny's 18.4 MB cross-attention state plus their tokens: the 16 sequences
    // max_num_seqs lets run at once never wait for the pool.
    private const long KvCacheBytes = 512L << 20;
    private const int MaxNumSeqs = 16;

    private readonly BenchRepository _repository = new();

    // The smoke model keeps tiny's audio and text sizes and its vocabulary (the tokenizer checks the logits' width), so
    // every code path is the real one, with a tenth of its parameters.
    private readonly WhisperDims _dims = smoke ? new(2, 2, 64, 2, 32, 128, 80, 1500, 448, 51864) : WhisperDims.Tiny;

    // A random-weight decoder rarely samples end-of-text, and its windows fail the log-probability threshold that makes
    // Whisper retry hotter, so the decode length is pinned: every window samples exactly this many tokens, at
    // temperature 0 only.
    private readonly int _maxTokens = smoke ? 8 : 64;

    private SpeechClip? _clip;
    private string _windows = "";

    public async Task<List<Measurement>> RunAsync()
    {
        using (_repository)
        {
            WriteRepository();
            _clip = await SpeechClip.MakeAsync(ClipSeconds, Path.Combine(_repository.Root, "scratch"));
            Console.Error.WriteLine($"whisper: {_dims.EncoderLayers} + {_dims.DecoderLayers} layers of {_dims.Hidden}, {_dims.Heads} heads, ffn {_dims.Ffn}, vocab {_dims.Vocab}: {_dims.Parameters / 1e6:F1} M parameters; clip {_clip.Seconds:0.0} s of {_clip.Source}; {_maxTokens} tokens per window");
            await using var server = await ServerProcess.StartAsync($"--ModelRepository:Path={_repository.Root}");
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}"), Timeout = TimeSpan.FromMinutes(10) };
            var body = Body(_clip.Wav, _maxTokens, beamSize);

            // The first answer says how many windows a request decodes (a timestamp the decoder samples can end a
            // window early and seek from it); then one request per worker of the highest arm warms the engine's batches.
            _windows = Windows(await TranscribeAsync(http, body));
            Console.Error.WriteLine($"one request decodes {_windows}");
            await LoadGenerator.RunAsync(concurrencies.Max(), TimeSpan.FromMilliseconds(1), _ => CallAsync(http, body));

            var results = new List<Measurement>();
            for (var round = 0; round < rounds; round++)
            {
                foreach (var c in round % 2 == 0 ? concurrencies : concurrencies.Reverse())
                {
                    Console.Error.WriteLine($"transcribe, concurrency {c}");
                    var cpuBefore = server.CpuTime;
                    var run = await LoadGenerator.RunAsync(c, duration, _ => CallAsync(http, body));
                    var cpu = (server.CpuTime - cpuBefore).TotalSeconds;
                    results.Add(new Measurement("grainserve-v2-rest", c, run.Requests, run.Rows, run.Errors, run.Elapsed, run.LatenciesMs, cpu, 0));
                }
            }

            return results;
        }
    }

    /// <summary>The table of per-arm medians, then the target's ratio per round and its median.</summary>
    public string Report(IReadOnlyList<Measurement> results, int rounds)
    {
        var seconds = _clip?.Seconds ?? ClipSeconds;
        double AudioPerSecond(Measurement m) => m.Requests * seconds / m.Elapsed.TotalSeconds;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"clip: {seconds:0.0} s of {_clip?.Source ?? "(none)"}, 16 kHz mono 16-bit WAV, sent as V2 REST binary (one BYTES input \"audio\"); model: {_dims.EncoderLayers} + {_dims.DecoderLayers} layers of {_dims.Hidden} ({(smoke ? "smoke shapes" : "whisper-tiny's shapes")}, random weights), kv_cache_bytes {KvCacheBytes >> 20} MiB, max_num_seqs {MaxNumSeqs}");
        text.AppendLine(CultureInfo.InvariantCulture, $"decode length fixed at {_maxTokens} tokens per window with no fallback (max_tokens {_maxTokens}, ignore_eos, temperature_increment_on_fallback 0, seed 1){(beamSize is { } beams ? $", beam_size {beams}" : ", greedy")}; one request decodes {_windows}");
        text.AppendLine();
        text.AppendLine("| arm | concurrency | requests (all rounds) | audio s/s | real-time factor (p50 ÷ clip) | p50 ms | p99 ms | server CPU s per file | errors |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in results.GroupBy(r => (r.Arm, r.Concurrency)).OrderBy(g => g.Key.Concurrency))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Arm} | {group.Key.Concurrency} | {group.Sum(r => r.Requests)} | {group.Median(AudioPerSecond):0.00} | {group.Median(r => r.P50 / 1000 / seconds):0.000} | {group.Median(r => r.P50):0} | {group.Median(r => r.P99):0} | {group.Median(r => r.CpuMicrosecondsPerRequest / 1e6):0.000} | {group.Sum(r => r.Errors)} |");
        }

        var perRound = results.Count / rounds;
        var roundsOf = Enumerable.Range(0, rounds).Select(r => results.Skip(r * perRound).Take(perRound).ToList()).ToList();
        var (low, top) = (concurrencies.Min(), concurrencies.Max());
        var ratios = roundsOf.Select(r => AudioPerSecond(r.Single(m => m.Concurrency == top)) / AudioPerSecond(r.Single(m => m.Concurrency == low))).ToList();
        text.AppendLine();
        text.AppendLine("| target | goal | median | per round |");
        text.AppendLine("| --- | --- | ---: | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| transcribe, audio-seconds/s: c{top} ÷ c{low} (the same server, one file at a time) | ≥ 3 | {ratios.Median(v => v):0.00} | {string.Join(", ", ratios.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))} |");

        // The most the ratio can be on this machine at the CPU a file costs: the high arm serves at best every core's
        // time over its CPU per file, the low arm serves one file per its wall time per file.
        var cores = Environment.ProcessorCount;
        var bounds = roundsOf.Select(r =>
        {
            var (one, many) = (r.Single(m => m.Concurrency == low), r.Single(m => m.Concurrency == top));
            return cores * (one.Elapsed.TotalSeconds / one.Requests) / (many.CpuMicrosecondsPerRequest / 1e6);
        }).ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"| bound at this CPU per file: {cores} cores × c{low}'s wall s per file ÷ c{top}'s server CPU s per file | | {bounds.Median(v => v):0.00} | {string.Join(", ", bounds.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))} |");
        return text.ToString();
    }

    private void WriteRepository()
    {
        var config = JsonNode.Parse(SampleRepository.WhisperConfig(Model, KvCacheBytes))!;
        config["parameters"]!["max_num_seqs"] = new JsonObject { ["string_value"] = MaxNumSeqs.ToString(CultureInfo.InvariantCulture) };
        _repository.Write(Model, WhisperModel.Files(_dims), config.ToJsonString());
    }

    // The V2 binary extension: the JSON header, then the input's bytes, a BYTES tensor of one element (its 4-byte
    // little-endian length, then the WAV file). Built once: every request sends the same bytes.
    private static (byte[] Bytes, int HeaderLength) Body(byte[] wav, int maxTokens, int? beamSize)
    {
        var parameters = new JsonObject
        {
            ["max_tokens"] = maxTokens, ["ignore_eos"] = true, ["temperature_increment_on_fallback"] = 0, ["seed"] = 1,
        };
        if (beamSize is { } beams)
        {
            parameters["beam_size"] = beams;
        }

        var header = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "audio", ["shape"] = new JsonArray(1), ["datatype"] = "BYTES",
                ["parameters"] = new JsonObject { ["binary_data_size"] = 4 + wav.Length },
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "verbose_json" }),
            ["parameters"] = parameters,
        });
        return ([.. header, .. BitConverter.GetBytes(wav.Length), .. wav], header.Length);
    }

    private static async Task<int> CallAsync(HttpClient http, (byte[] Bytes, int HeaderLength) body)
    {
        await TranscribeAsync(http, body);
        return 1;
    }

    // The transcript's verbose_json; a failure or a transcript of other audio than the clip's length throws (an error).
    private static async Task<JsonElement> TranscribeAsync(HttpClient http, (byte[] Bytes, int HeaderLength) body)
    {
        using var content = new ByteArrayContent(body.Bytes);
        content.Headers.ContentType = new("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", body.HeaderLength.ToString(CultureInfo.InvariantCulture));
        using var response = await http.PostAsync($"/v2/models/{Model}/infer", content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            Console.Error.WriteLine($"transcribe: {(int)response.StatusCode} {text}");
            throw new HttpRequestException($"{(int)response.StatusCode} {text}");
        }

        using var document = JsonDocument.Parse(text);
        var verbose = JsonDocument.Parse(document.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetString()!).RootElement.Clone();
        var transcribed = verbose.GetProperty("duration").GetDouble();
        if (Math.Abs(transcribed - ClipSeconds) > 0.05)
        {
            Console.Error.WriteLine($"transcribe: the transcript covers {transcribed} s of a {ClipSeconds} s clip");
            throw new InvalidOperationException($"transcribed {transcribed} s of a {ClipSeconds} s clip");
        }

        return verbose;
    }

    // Windows that kept text are the distinct seeks of the segments; a window the model judged silent keeps none.
    private static string Windows(JsonElement verbose)
    {
        var segments = verbose.GetProperty("segments").EnumerateArray().ToList();
        var seeks = segments.Select(s => s.GetProperty("seek").GetInt32()).Distinct().ToList();
        return $"{seeks.Count} window(s) with text (seeks {string.Join(", ", seeks)}; {segments.Count} segment(s))";
    }
}
