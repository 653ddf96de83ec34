using System.Diagnostics;
using System.Globalization;
using System.Text;
using GrainServe.Contracts;
using GrainServe.Generation;
using GrainServe.Gpu;
using GrainServe.ModelBuilder.Xtts;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XttsProvider = GrainServe.Speech.Xtts.XttsProvider;

namespace GrainServe.Bench;

/// <summary>
/// Text to speech on the XTTS-style sample (random weights, built at bench time): one sentence spoken over and over
/// through the instance's streaming path (<see cref="IInstanceScheduler.Generate"/>, what the GPU grain streams), one
/// at a time and eight at once, on an instance whose engine runs up to eight syntheses per decode step and on one that
/// runs one (<c>max_num_seqs</c> 1). Time to first audio is the wait for the first stretch; audio seconds per second
/// is the audio every worker received over the arm's time. In process (written before gRPC ModelStreamInfer streamed audio).
/// </summary>
internal sealed class SpeechScenario(TimeSpan duration, int rounds, bool smoke)
{
    private const string Text = "Streaming speech starts playing long before the sentence is done.";
    private const int Concurrency = 8;
    private const int SampleRate = 24000;

    // The random GPT seldom samples its stop code, so every utterance is capped: max_codes codes of 1024 samples at 24 kHz.
    private readonly int _maxCodes = smoke ? 40 : 200;

    private readonly BenchRepository _repository = new();

    public async Task<List<SpeechMeasurement>> RunAsync()
    {
        using (_repository)
        {
            _repository.Write("xtts_batched", XttsModel.Files(XttsDims.Small), Config("xtts_batched", Concurrency));
            _repository.Write("xtts_single", XttsModel.Files(XttsDims.Small), Config("xtts_single", 1));
            await using var batched = Load("xtts_batched");
            await using var single = Load("xtts_single");
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
        var seconds = _maxCodes * XttsDims.Small.HopLength / (double)SampleRate;
        text.AppendLine(CultureInfo.InvariantCulture, $"model: xtts_small (GPT {XttsDims.Small.Layers} layers of {XttsDims.Small.Hidden}, random weights), streamed in process through the instance's Generate (the GPU grain's streaming path); {_maxCodes} codes per utterance (max_codes; the random GPT seldom stops), {seconds:0.00} s of 24 kHz audio; stream_chunk_size 20, overlap 1024 samples");
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

    private string Config(string name, int maxNumSeqs) => XttsModel.Config(name, XttsDims.Small, kvCacheBytes: 64L << 20)
        .Replace("\"max_codes\": { \"string_value\": \"250\" }", $"\"max_codes\": {{ \"string_value\": \"{_maxCodes}\" }}, \"max_num_seqs\": {{ \"string_value\": \"{maxNumSeqs}\" }}", StringComparison.Ordinal);

    private IInstanceScheduler Load(string model)
    {
        var repository = new ModelRepository(Options.Create(new ModelRepositoryOptions { Path = _repository.Root }), NullLogger<ModelRepository>.Instance);
        var sessions = new OnnxSessionFactory(Options.Create(new RuntimeOptions { IntraOpNumThreads = 1 }), NullLogger<OnnxSessionFactory>.Instance);
        var provider = new XttsProvider(sessions, TimeProvider.System, NullLogger<XttsProvider>.Instance);
        var device = new LocalDevice("cpu0", DeviceKind.Cpu, 0, "cpu0", "CPU-bench-0", 1L << 32, 1L << 32);
        return provider.Create(repository.Find(model) ?? throw new InvalidOperationException($"no model {model}"), 1, device);
    }

    private async Task<SpeechMeasurement> MeasureAsync(string arm, IInstanceScheduler instance, int concurrency)
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
                catch (InvalidOperationException)
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

    // One utterance over the streaming path: milliseconds to the first stretch and to the end, and the samples.
    private async Task<(double FirstMs, double WholeMs, long Samples)> SpeakAsync(IInstanceScheduler instance, CancellationToken cancellationToken)
    {
        var request = new InferenceRequest(null, null, [new InferTensor("text", InferDatatype.Bytes, [1], BytesElements.Pack([Encoding.UTF8.GetBytes(Text)]))], null)
        {
            Parameters = new() { ["voice"] = "alloy", ["seed"] = "1" },
        };
        var started = Stopwatch.GetTimestamp();
        double? first = null;
        long samples = 0;
        await foreach (var chunk in instance.Generate(new GenerateRequest { Inputs = request }, cancellationToken))
        {
            if (chunk.Error is { } error)
            {
                throw new InvalidOperationException(error.Message);
            }

            if (chunk.Audio is { Length: > 0 } audio)
            {
                first ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                samples += audio.Length / sizeof(float);
            }
        }

        return (first ?? double.NaN, Stopwatch.GetElapsedTime(started).TotalMilliseconds, samples);
    }

    private static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}

/// <summary>One arm of one round of <see cref="SpeechScenario"/>.</summary>
internal sealed record SpeechMeasurement(
    string Arm, int Concurrency, int Utterances, long Errors, double FirstAudioP50, double FirstAudioP99, double WholeP50, double AudioSecondsPerSecond);
