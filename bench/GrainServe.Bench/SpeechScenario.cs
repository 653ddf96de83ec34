using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GrainServe.ModelBuilder.Xtts;

namespace GrainServe.Bench;

/// <summary>
/// Text to speech on the XTTS-style sample (random weights, built at bench time): one sentence spoken over and over
/// through the server, OpenAI's <c>POST /v1/audio/speech</c> streaming raw 24 kHz PCM, one at a time and eight at
/// once, to a model whose engine runs up to eight syntheses per decode step and to the same model with
/// <c>max_num_seqs</c> 1, both served by one server process. Time to first audio is the wait for the response's first
/// audio bytes; audio seconds per second is the audio every client received over the arm's time. The GPT is either the
/// sample's (<see cref="XttsDims.Small"/>, two layers of 64) or one of XTTS-v2's width (<see cref="XttsDims.XttsWidth"/>).
/// </summary>
internal sealed class SpeechScenario(TimeSpan duration, int rounds, bool smoke, string gpt)
{
    private const string Text = "Streaming speech starts playing long before the sentence is done.";
    private const int Concurrency = 8;
    private const int SampleRate = 24000;

    // The random GPT seldom samples its stop code, so every utterance is capped: max_codes codes of 1024 samples at 24 kHz.
    private readonly int _maxCodes = smoke ? 40 : 200;

    private readonly BenchRepository _repository = new();

    private readonly XttsDims _dims = gpt switch
    {
        "small" => XttsDims.Small,
        "xtts-width" => XttsDims.XttsWidth,
        _ => throw new ArgumentException($"--gpt '{gpt}': use small (the xtts_small sample's GPT) or xtts-width (XTTS-v2's width, 2 layers)"),
    };

    private string ModelDescription => gpt == "small"
        ? $"xtts_small (GPT {_dims.Layers} layers of {_dims.Hidden}, random weights)"
        : $"the xtts_small sample with a GPT of XTTS-v2's width ({_dims.Layers} layers of {_dims.Hidden}, {_dims.Heads} heads, feed-forward {_dims.Ffn}; random weights)";

    public async Task<List<SpeechMeasurement>> RunAsync()
    {
        using (_repository)
        {
            _repository.Write("xtts_batched", XttsModel.Files(_dims), Config("xtts_batched", Concurrency));
            _repository.Write("xtts_single", XttsModel.Files(_dims), Config("xtts_single", 1));
            await using var server = await ServerProcess.StartAsync($"--ModelRepository:Path={_repository.Root}");
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}"), Timeout = TimeSpan.FromMinutes(5) };
            var batched = (http, "xtts_batched");
            var single = (http, "xtts_single");
            await SpeakAsync(batched, CancellationToken.None);
            await SpeakAsync(single, CancellationToken.None);

            var results = new List<SpeechMeasurement>();
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (arm, instance, concurrency) in new[] { ("max_num_seqs 8", batched, 1), ("max_num_seqs 8", batched, Concurrency), ("max_num_seqs 1", single, Concurrency) })
                {
                    Console.Error.WriteLine($"speech, {arm}, concurrency {concurrency}");
                    results.Add(await MeasureAsync(arm, instance, concurrency));
                }
            }

            return results;
        }
    }

    /// <summary>The per-arm medians over rounds, then the two targets.</summary>
    public string Report(IReadOnlyList<SpeechMeasurement> results)
    {
        var text = new StringBuilder();
        var seconds = _maxCodes * _dims.HopLength / (double)SampleRate;
        text.AppendLine(CultureInfo.InvariantCulture, $"model: {ModelDescription}, streamed over the server's POST /v1/audio/speech as raw 24 kHz PCM; {_maxCodes} codes per utterance (max_codes; the random GPT seldom stops), {seconds:0.00} s of 24 kHz audio; stream_chunk_size 20, overlap 1024 samples");
        text.AppendLine();
        text.AppendLine("| arm | concurrency | utterances | time to first audio p50 ms | p99 ms | whole utterance p50 ms | audio s/s | real-time factor (p50 ÷ audio) | errors |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in results.GroupBy(r => (r.Arm, r.Concurrency)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Arm} | {group.Key.Concurrency} | {group.Sum(r => r.Utterances)} | {group.Median(r => r.FirstAudioP50):0} | {group.Median(r => r.FirstAudioP99):0} | {group.Median(r => r.WholeP50):0} | {group.Median(r => r.AudioSecondsPerSecond):0.00} | {group.Median(r => r.WholeP50 / 1000 / seconds):0.000} | {group.Sum(r => r.Errors)} |");
        }

        var byRound = results.Chunk(3).ToList();
        var ratios = byRound.Select(r => r[1].AudioSecondsPerSecond / r[2].AudioSecondsPerSecond).ToList();
        var firsts = byRound.Select(r => r[0].FirstAudioP50 / r[0].WholeP50).ToList();
        text.AppendLine();
        text.AppendLine("| target | goal | median | per round |");
        text.AppendLine("| --- | --- | ---: | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| audio s/s at concurrency 8: max_num_seqs 8 ÷ max_num_seqs 1 | ≥ 3 | {ratios.Median(v => v):0.00} | {string.Join(", ", ratios.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| time to first audio ÷ whole utterance, concurrency 1 (p50s) | < 0.2 | {firsts.Median(v => v):0.000} | {string.Join(", ", firsts.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))} |");
        return text.ToString();
    }

    private string Config(string name, int maxNumSeqs) => XttsModel.Config(name, _dims, kvCacheBytes: 256L << 20)
        .Replace("\"max_codes\": { \"string_value\": \"250\" }", $"\"max_codes\": {{ \"string_value\": \"{_maxCodes}\" }}, \"max_num_seqs\": {{ \"string_value\": \"{maxNumSeqs}\" }}", StringComparison.Ordinal);

    private async Task<SpeechMeasurement> MeasureAsync(string arm, (HttpClient Http, string Model) instance, int concurrency)
    {
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var firsts = new List<double>();
            var wholes = new List<double>();
            long samples = 0, errors = 0;
            while (stop.Elapsed < duration)
            {
                try
                {
                    var (first, whole, count) = await SpeakAsync(instance, CancellationToken.None);
                    firsts.Add(first);
                    wholes.Add(whole);
                    samples += count;
                }
                catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException)
                {
                    errors++;
                }
            }

            return (firsts, wholes, samples, errors);
        })).ToArray();
        var done = await Task.WhenAll(workers);
        var elapsed = stop.Elapsed.TotalSeconds;
        var allFirsts = done.SelectMany(d => d.firsts).Order().ToArray();
        var allWholes = done.SelectMany(d => d.wholes).Order().ToArray();
        return new SpeechMeasurement(
            arm, concurrency, allWholes.Length, done.Sum(d => d.errors),
            Percentile(allFirsts, 0.5), Percentile(allFirsts, 0.99), Percentile(allWholes, 0.5),
            done.Sum(d => d.samples) / (double)SampleRate / elapsed);
    }

    // One utterance over the speech route: milliseconds to the first audio bytes and to the end, and the samples.
    private static async Task<(double FirstMs, double WholeMs, long Samples)> SpeakAsync((HttpClient Http, string Model) target, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new { model = target.Model, input = Text, voice = "alloy", response_format = "pcm" });
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await target.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        await using var audio = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[16384];
        double? first = null;
        long bytes = 0;
        int read;
        while ((read = await audio.ReadAsync(buffer, cancellationToken)) > 0)
        {
            first ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            bytes += read;
        }

        return (first ?? double.NaN, Stopwatch.GetElapsedTime(started).TotalMilliseconds, bytes / sizeof(short));
    }

    private static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}

/// <summary>One arm of one round of <see cref="SpeechScenario"/>.</summary>
internal sealed record SpeechMeasurement(
    string Arm, int Concurrency, int Utterances, long Errors, double FirstAudioP50, double FirstAudioP99, double WholeP50, double AudioSecondsPerSecond);
