using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GrainServe.ModelBuilder;
using Microsoft.ML.OnnxRuntime;

namespace GrainServe.Bench;

/// <summary>
/// Generation throughput and latency: output tokens per second, time to first token and inter-token latency (p50, p99)
/// over the streaming OpenAI completions route at several concurrencies, side by side in one run with (a) the same model
/// served with <c>max_num_seqs</c> 1 (one request at a time, as a naive server does) and (b) a raw in-process ONNX Runtime
/// greedy loop at batch 1 and at the batch the server formed. The decoder (Llama-shaped, random FP32 weights, GPT-2's
/// vocabulary) is built at bench time and not committed.
/// </summary>
internal sealed class GenerateScenario(TimeSpan duration, int rounds, int[] concurrencies, bool smoke, string kvBinding = "host")
{
    private const string Model = "bench_llm";
    private const string Serial = "bench_llm_serial";
    private const int PromptTokens = 32;

    private readonly BenchRepository _repository = new();
    private readonly LlamaDecoderDims _dims = smoke ? new(2, 128, 4, 2, 32, 256, 50257) : new(4, 384, 6, 2, 64, 1024, 50257);
    private readonly int _maxTokens = smoke ? 8 : 64;

    public async Task<List<GenerateMeasurement>> RunAsync()
    {
        using (_repository)
        {
            WriteRepository();
            Console.Error.WriteLine($"decoder: {_dims.Layers} layers, hidden {_dims.Hidden}, {_dims.Heads} heads over {_dims.KvHeads} kv heads of {_dims.HeadSize}, ffn {_dims.Intermediate}, vocab {_dims.Vocab}: {_dims.Parameters / 1e6:F1} M parameters; prompts of {PromptTokens} tokens, {_maxTokens} generated; kv_binding {kvBinding}");
            var results = new List<GenerateMeasurement>();
            await using var server = await ServerProcess.StartAsync($"--ModelRepository:Path={_repository.Root}");
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}"), Timeout = TimeSpan.FromMinutes(10) };
            using var raw = new RawGreedyLoop(Path.Combine(_repository.Root, Model, "1", "model.onnx"), _dims);

            // Warm up both served models and the raw session.
            await MeasureServedAsync(http, Model, 2, TimeSpan.FromSeconds(2));
            await MeasureServedAsync(http, Serial, 1, TimeSpan.FromSeconds(1));
            raw.Run(1, PromptTokens, 4);

            for (var round = 0; round < rounds; round++)
            {
                foreach (var c in round % 2 == 0 ? concurrencies : concurrencies.Reverse())
                {
                    // The raw loop runs at the batch the server formed: the sequences running at once, sampled from the
                    // server's own vllm:num_requests_running while the arm ran.
                    using var sampling = new CancellationTokenSource();
                    var formed = SampleRunningAsync(server.MetricsPort, sampling.Token);
                    var served = await MeasureServedAsync(http, Model, c, duration);
                    await sampling.CancelAsync();
                    var batch = Math.Clamp((int)Math.Round(await formed), 1, c);
                    results.Add(served with { Round = round, BatchFormed = await formed });
                    results.Add(await MeasureServedAsync(http, Serial, c, duration) with { Round = round, BatchFormed = 1 });
                    Console.Error.WriteLine($"raw loop, batch {batch}");
                    results.Add(MeasureRaw(raw, batch) with { Round = round, Concurrency = c, BatchFormed = batch });
                }
            }

            return results;
        }
    }

    public static string Report(List<GenerateMeasurement> results, int[] concurrencies)
    {
        var text = new StringBuilder();
        text.AppendLine("| arm | concurrency | batch formed | output tokens/s | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms | errors |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in results.GroupBy(r => (r.Arm, r.Concurrency)).OrderBy(g => g.Key.Concurrency).ThenBy(g => g.Key.Arm, StringComparer.Ordinal))
        {
            var m = group.ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Arm} | {group.Key.Concurrency} | {m.Median(x => x.BatchFormed):F1} | {m.Median(x => x.TokensPerSecond):F0} | {m.Median(x => x.FirstTokenP50):F1} | {m.Median(x => x.FirstTokenP99):F1} | {m.Median(x => x.InterTokenP50):F2} | {m.Median(x => x.InterTokenP99):F2} | {m.Sum(x => x.Errors)} |");
        }

        text.AppendLine();
        foreach (var c in concurrencies)
        {
            var byRound = results.Where(r => r.Concurrency == c).GroupBy(r => r.Round).ToList();
            double Ratio(Func<List<GenerateMeasurement>, double> f) => byRound.Select(g => f(g.ToList())).Order().ElementAt(byRound.Count / 2);
            double Of(List<GenerateMeasurement> g, string arm, Func<GenerateMeasurement, double> f) => f(g.Single(m => m.Arm == arm));
            var vsSerial = Ratio(g => Of(g, "grainserve", m => m.TokensPerSecond) / Of(g, "grainserve-max-num-seqs-1", m => m.TokensPerSecond));
            var vsRaw = Ratio(g => Of(g, "grainserve", m => m.TokensPerSecond) / Of(g, "raw-ort-loop", m => m.TokensPerSecond));
            var ttft = Ratio(g => Of(g, "grainserve", m => m.FirstTokenP50) / Of(g, "raw-ort-loop", m => m.FirstTokenP50));
            text.AppendLine(CultureInfo.InvariantCulture, $"- concurrency {c}: tokens/s ÷ one-at-a-time {vsSerial:F2}, ÷ raw loop at the batch formed {vsRaw:F2}; TTFT p50 ÷ raw loop's {ttft:F2} (medians over rounds)");
        }

        return text.ToString();
    }

    private void WriteRepository()
    {
        var bytes = LlamaDecoder.Build(_dims, LlamaWeights.RandomFloat);
        var context = 2048;
        var kvBytes = Math.Max(64L << 20, _dims.KvBytesPerToken * context * 8);
        string Config(string name, int seqs) => $$"""
            {
              "name": "{{name}}",
              "parameters": {
                "model_kind": { "string_value": "text_generation" },
                "tokenizer": { "string_value": "gpt2" },
                "max_num_seqs": { "string_value": "{{seqs}}" },
                "max_num_batched_tokens": { "string_value": "2048" },
                "max_model_len": { "string_value": "{{context}}" },
                "kv_cache_bytes": { "string_value": "{{kvBytes}}" },
                "kv_binding": { "string_value": "{{kvBinding}}" }
              }
            }
            """;
        _repository.Write(Model, bytes, Config(Model, 64));
        File.WriteAllText(Path.Combine(_repository.Root, Model, "1", "genai_config.json"), $$"""
            {
              "model": {
                "type": "llama", "context_length": {{context}}, "vocab_size": {{_dims.Vocab}},
                "bos_token_id": 50256, "eos_token_id": 50256, "pad_token_id": 50256,
                "decoder": {
                  "num_hidden_layers": {{_dims.Layers}}, "num_attention_heads": {{_dims.Heads}}, "num_key_value_heads": {{_dims.KvHeads}},
                  "head_size": {{_dims.HeadSize}}, "hidden_size": {{_dims.Hidden}},
                  "inputs": { "input_ids": "input_ids", "attention_mask": "attention_mask", "position_ids": "position_ids",
                              "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value" },
                  "outputs": { "logits": "logits", "present_key_names": "present.%d.key", "present_value_names": "present.%d.value" }
                }
              }
            }
            """);
        _repository.Link(Serial, Path.Combine(_repository.Root, Model, "1"), ["model.onnx", "genai_config.json"], Config(Serial, 1));
    }

    private static async Task<double> SampleRunningAsync(int metricsPort, CancellationToken stop)
    {
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        // Every series also carries its silo's label, whatever the server process is named.
        const string Prefix = "vllm:num_requests_running{model_name=\"" + Model + "\",";
        var samples = new List<double>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var text = await metrics.GetStringAsync("/metrics", stop);
                var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
                if (line is not null)
                {
                    samples.Add(double.Parse(line[(line.IndexOf("} ", StringComparison.Ordinal) + 2)..], CultureInfo.InvariantCulture));
                }

                await Task.Delay(100, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // The arm is over.
        }

        // The first samples see the ramp-up (workers starting); the steady state is what the arm measures.
        return samples.Count == 0 ? 1 : samples.Skip(samples.Count / 10).DefaultIfEmpty(1).Average();
    }

    private async Task<GenerateMeasurement> MeasureServedAsync(HttpClient http, string model, int concurrency, TimeSpan length)
    {
        var arm = model == Model ? "grainserve" : "grainserve-max-num-seqs-1";
        Console.Error.WriteLine($"{arm}, concurrency {concurrency}");
        var firstTokens = new List<double>();
        var interTokens = new List<double>();
        long tokens = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var sequence = 0;
            while (clock.Elapsed < length)
            {
                try
                {
                    var (first, gaps, count) = await StreamOneAsync(http, model, worker * 7919 + sequence++);
                    lock (firstTokens)
                    {
                        firstTokens.Add(first);
                        interTokens.AddRange(gaps);
                        tokens += count;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or InvalidOperationException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return new GenerateMeasurement(arm, concurrency, tokens / clock.Elapsed.TotalSeconds, Percentile(firstTokens, 0.5), Percentile(firstTokens, 0.99), Percentile(interTokens, 0.5), Percentile(interTokens, 0.99), errors);
    }

    private async Task<(double FirstMs, List<double> GapsMs, int Tokens)> StreamOneAsync(HttpClient http, string model, int seed)
    {
        var prompt = string.Join(',', Enumerable.Range(0, PromptTokens).Select(i => (seed * 31 + i * 97) % 50000 + 1));
        var body = $$"""{"model":"{{model}}","prompt":[{{prompt}}],"max_tokens":{{_maxTokens}},"temperature":0,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true} }""";
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double first = -1;
        var last = started;
        var gaps = new List<double>();
        var tokens = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            // The last event carries the usage: tokens are counted from it, since a token whose text is held back (half a
            // UTF-8 character) sends no event of its own.
            if (line.Contains("\"choices\":[]", StringComparison.Ordinal))
            {
                using var usage = JsonDocument.Parse(line["data: ".Length..]);
                tokens = usage.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            if (first < 0)
            {
                first = Stopwatch.GetElapsedTime(started, now).TotalMilliseconds;
            }
            else
            {
                gaps.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
            }

            last = now;
        }

        return tokens == _maxTokens ? (first, gaps, tokens) : throw new InvalidOperationException($"generated {tokens} tokens, not {_maxTokens}");
    }

    private GenerateMeasurement MeasureRaw(RawGreedyLoop raw, int batch)
    {
        var firstTokens = new List<double>();
        var interTokens = new List<double>();
        long tokens = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var (first, gaps) = raw.Run(batch, PromptTokens, _maxTokens);
            firstTokens.Add(first);
            interTokens.AddRange(gaps);
            tokens += (long)batch * _maxTokens;
        }

        return new GenerateMeasurement("raw-ort-loop", batch, tokens / clock.Elapsed.TotalSeconds, Percentile(firstTokens, 0.5), Percentile(firstTokens, 0.99), Percentile(interTokens, 0.5), Percentile(interTokens, 0.99), 0);
    }

    private static double Percentile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1))];
    }

    /// <summary>
    /// The floor to compare with: one session, a batch of equal-length prompts decoded in lock step, each step's present
    /// fed back as the next past, greedy argmax; no scheduler, no padding, no tokenizer, no network.
    /// </summary>
    private sealed class RawGreedyLoop : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly LlamaDecoderDims _dims;

        public RawGreedyLoop(string path, LlamaDecoderDims dims)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            _session = new InferenceSession(path, options);
            _dims = dims;
        }

        public (double FirstMs, List<double> GapsMs) Run(int batch, int promptTokens, int maxTokens)
        {
            var started = Stopwatch.GetTimestamp();
            var ids = new long[batch * promptTokens];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = (i * 97 + 13) % 50000 + 1;
            }

            // Each step's present is the next step's past as it is: no copy of the cache in this loop.
            var names = new List<string> { "input_ids", "attention_mask", "position_ids" };
            var outputNames = new List<string> { "logits" };
            for (var layer = 0; layer < _dims.Layers; layer++)
            {
                names.Add($"past_key_values.{layer}.key");
                names.Add($"past_key_values.{layer}.value");
                outputNames.Add($"present.{layer}.key");
                outputNames.Add($"present.{layer}.value");
            }

            var empty = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [batch, _dims.KvHeads, 0, _dims.HeadSize]);
            var past = Enumerable.Repeat(empty, _dims.Layers * 2).ToArray();
            IDisposableReadOnlyCollection<OrtValue>? previous = null;
            var length = 0;
            var step = promptTokens;
            double first = 0;
            var gaps = new List<double>();
            var last = started;
            using var runOptions = new RunOptions();
            for (var token = 0; token < maxTokens; token++)
            {
                var mask = new long[batch * (length + step)];
                Array.Fill(mask, 1L);
                var positions = new long[batch * step];
                for (var i = 0; i < positions.Length; i++)
                {
                    positions[i] = length + i % step;
                }

                using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [batch, step]);
                using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [batch, length + step]);
                using var positionValue = OrtValue.CreateTensorValueFromMemory(positions, [batch, step]);
                var inputs = new List<OrtValue> { idsValue, maskValue, positionValue };
                inputs.AddRange(past);
                var outputs = _session.Run(runOptions, names, inputs, outputNames);
                var logits = outputs[0].GetTensorDataAsSpan<float>();
                var vocab = _dims.Vocab;
                var next = new long[batch];
                for (var b = 0; b < batch; b++)
                {
                    var row = logits.Slice(((b * step) + step - 1) * vocab, vocab);
                    var best = 0;
                    for (var v = 1; v < row.Length; v++)
                    {
                        if (row[v] > row[best])
                        {
                            best = v;
                        }
                    }

                    next[b] = best;
                }

                previous?.Dispose();
                previous = outputs;
                for (var i = 0; i < past.Length; i++)
                {
                    past[i] = outputs[i + 1];
                }

                length += step;
                step = 1;
                ids = next;
                var now = Stopwatch.GetTimestamp();
                if (token == 0)
                {
                    first = Stopwatch.GetElapsedTime(started, now).TotalMilliseconds;
                }
                else
                {
                    gaps.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
                }

                last = now;
            }

            previous?.Dispose();
            empty.Dispose();
            return (first, gaps);
        }

        public void Dispose() => _session.Dispose();
    }
}

/// <summary>What one generation arm measured.</summary>
internal sealed record GenerateMeasurement(string Arm, int Concurrency, double TokensPerSecond, double FirstTokenP50, double FirstTokenP99, double InterTokenP50, double InterTokenP99, long Errors)
{
    public int Round { get; init; }

    /// <summary>Sequences per step: sampled from the server for continuous batching, the batch for the raw loop.</summary>
    public double BatchFormed { get; init; }
}
