using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GrainServe.Batching;
using GrainServe.Contracts;
using GrainServe.Generation;
using GrainServe.Gpu;
using GrainServe.ModelBuilder;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Checks the GPU path on a machine with an NVIDIA GPU, with GrainServe's own parts below Orleans: NVML discovery
// (against nvidia-smi), the ONNX Runtime runner on the CUDA provider (against the CPU provider), GPU memory per
// loaded model from NVML, throughput of an encoder through the raw session and through the batch queue, and text
// generation (the engine over a Llama-shaped decoder, KV through IOBinding and through the host path).
//   GrainServe.GpuCheck [--small] [--cpu] [--seconds N] [--out DIR]
// --cpu runs everything on a CPU device (to try the tool without a GPU); --small uses a small encoder.
var small = args.Contains("--small");
var cpuOnly = args.Contains("--cpu");
var seconds = Option("--seconds", 5);
var outDir = OptionText("--out", Environment.GetEnvironmentVariable("OUT") ?? ".");
var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

Line($"# GrainServe GPU check, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

// 1. NVML against nvidia-smi.
using var nvml = new NvmlGpuInfoProvider(NullLogger<NvmlGpuInfoProvider>.Instance);
var gpus = nvml.GetGpus();
Line($"NVML available: {nvml.IsAvailable}, GPUs: {gpus.Count}");
foreach (var gpu in gpus)
{
    Line($"- NVML gpu{gpu.Index}: {gpu.Name}, {gpu.Uuid}, total {gpu.TotalMemoryBytes >> 20} MiB, free {gpu.FreeMemoryBytes >> 20} MiB, utilization {gpu.UtilizationPercent}%");
    Line($"- NVML gpu{gpu.Index} (the metrics port's nv_gpu_*): used {gpu.UsedMemoryBytes >> 20} MiB, power {gpu.PowerWatts?.ToString("0.0", CultureInfo.InvariantCulture) ?? "n/a"} W of {gpu.PowerLimitWatts?.ToString("0", CultureInfo.InvariantCulture) ?? "n/a"} W, energy {gpu.EnergyJoules?.ToString("0", CultureInfo.InvariantCulture) ?? "n/a"} J");
}

// The same figures as nvidia-smi reads them: power within a few watts (both sample the same sensor), the limit exact.
var power = Run("nvidia-smi", "--query-gpu=index,power.draw,power.limit,memory.used --format=csv,noheader,nounits");
foreach (var row in power.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',').Select(c => c.Trim()).ToArray()))
{
    var match = gpus.FirstOrDefault(g => g.Index.ToString(CultureInfo.InvariantCulture) == row[0]);
    var draw = double.TryParse(row[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) ? w : double.NaN;
    var limit = double.TryParse(row[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ? l : double.NaN;
    Line($"- gpu{row[0]} nvidia-smi power {row[1]} W of {row[2]} W, used {row[3]} MiB; NVML power within 10 W: {match?.PowerWatts is { } p && Math.Abs(p - draw) <= 10}, limit equal: {match?.PowerLimitWatts is { } pl && Math.Abs(pl - limit) < 1}");
}

var smi = Run("nvidia-smi", "--query-gpu=index,name,uuid,memory.total,driver_version --format=csv,noheader,nounits");
Line($"nvidia-smi: {(smi.Length == 0 ? "not available" : smi.Trim())}");
foreach (var row in smi.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',').Select(c => c.Trim()).ToArray()))
{
    var match = gpus.FirstOrDefault(g => g.Index.ToString(CultureInfo.InvariantCulture) == row[0]);
    var agrees = match is not null && match.Name == row[1] && match.Uuid == row[2] && Math.Abs((match.TotalMemoryBytes >> 20) - long.Parse(row[3], CultureInfo.InvariantCulture)) <= 1;
    Line($"- gpu{row[0]} NVML agrees with nvidia-smi (name, UUID, total memory): {agrees}");
}

// 2. The encoder, written into a temporary repository.
var (layers, sequence, hidden, ffn) = small ? (2, 16, 128, 512) : (12, 128, 768, 3072);
var repository = Path.Combine(Path.GetTempPath(), "grainserve-gpucheck");
Directory.CreateDirectory(Path.Combine(repository, "encoder", "1"));
File.WriteAllBytes(Path.Combine(repository, "encoder", "1", "model.onnx"), SampleModels.Encoder(layers, sequence, hidden, ffn));
File.WriteAllText(Path.Combine(repository, "encoder", "config.json"), """{ "max_batch_size": 128, "dynamic_batching": { "max_queue_delay_microseconds": 1000 } }""");
var model = new ModelRepository(Options.Create(new ModelRepositoryOptions { Path = repository }), NullLogger<ModelRepository>.Instance).Find("encoder")!;
Line($"encoder: {layers} layers, sequence {sequence}, hidden {hidden}, ffn {ffn}, {new FileInfo(model.ModelPath(1)).Length >> 20} MiB of weights");

// One intra-op thread, as the servers' appsettings.json set it: a pool of spinning intra-op threads would starve the
// batch queue's callers of CPU and measure that instead of the queue.
var factory = new OnnxModelRunnerFactory(Options.Create(new RuntimeOptions { IntraOpNumThreads = 1 }), NullLogger<OnnxSessionFactory>.Instance);
var cpu = new LocalDevice("cpu0", DeviceKind.Cpu, 0, "cpu0", "CPU-check-0", 1L << 34, 1L << 34);
var device = cpuOnly || gpus.Count == 0 ? cpu : new LocalDevice("gpu0", DeviceKind.Gpu, 0, gpus[0].Name, gpus[0].Uuid, gpus[0].TotalMemoryBytes, gpus[0].FreeMemoryBytes);

// 3. Load on the device, measuring GPU memory with NVML around the load.
var freeBefore = nvml.GetGpu(0)?.FreeMemoryBytes;
using var runner = factory.Create(model, 1, device);
var warm = Inputs(1);
await runner.RunAsync(warm, ["OUTPUT0"], CancellationToken.None);
var freeAfter = nvml.GetGpu(0)?.FreeMemoryBytes;
var usedText = freeBefore - freeAfter is { } used ? $"{used >> 20} MiB" : "n/a";
Line($"loaded on {device.DeviceId} ({device.Kind}); GPU memory used by the instance (NVML free before - after, after one run): {usedText}");

// 4. Outputs against the CPU provider.
using (var reference = factory.Create(model, 1, cpu))
{
    var check = Inputs(4);
    var a = Floats((await runner.RunAsync(check, ["OUTPUT0"], CancellationToken.None))[0]);
    var b = Floats((await reference.RunAsync(check, ["OUTPUT0"], CancellationToken.None))[0]);
    var maxDiff = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    var scale = b.Max(Math.Abs);
    Line($"{device.Kind} vs CPU provider: max abs difference {maxDiff:G3} (outputs up to {scale:G3}); within 5e-4 relative: {maxDiff <= 5e-4 * Math.Max(1, scale)}");
}

// 5. Raw session throughput at batch 1, 8, 32, 128.
var raw = new Dictionary<int, double>();
foreach (var batch in new[] { 1, 8, 32, 128 })
{
    var inputs = Inputs(batch);
    var stopwatch = Stopwatch.StartNew();
    long rows = 0;
    while (stopwatch.Elapsed.TotalSeconds < seconds)
    {
        await runner.RunAsync(inputs, ["OUTPUT0"], CancellationToken.None);
        rows += batch;
    }

    raw[batch] = rows / stopwatch.Elapsed.TotalSeconds;
    Line($"raw session, batch {batch}: {raw[batch]:0} rows/s");
}

// 6. The batch queue at concurrency 64, one row per request.
await using (var queue = new BatchQueue("encoder", "1", runner, BatchingSettings.FromConfig(runner.Config), TimeProvider.System, NullLogger.Instance))
{
    var stop = Stopwatch.StartNew();
    var request = new InferenceRequest(null, null, Inputs(1), null);
    var workers = Enumerable.Range(0, 64).Select(async _ =>
    {
        long answered = 0;
        while (stop.Elapsed.TotalSeconds < seconds)
        {
            var result = await queue.Enqueue(request);
            answered += result.Response is not null ? 1 : throw new InvalidOperationException(result.Error!.Message);
        }

        return answered;
    });
    var total = (await Task.WhenAll(workers)).Sum();
    var rate = total / stop.Elapsed.TotalSeconds;
    var stats = queue.Statistics.Snapshot();
    var formed = (double)stats.InferenceCount / Math.Max(1, stats.ExecutionCount);
    var nearest = raw.Keys.OrderBy(b => Math.Abs(b - formed)).First();
    Line($"batch queue, concurrency 64: {rate:0} rows/s, average batch formed {formed:0.0}; ÷ raw at batch {nearest}: {rate / raw[nearest]:0.00} (target ≥ 0.8)");
}

// 7. Text generation on the device: the engine's continuous batching over the ONNX step model, with the KV cache read
// and written through IOBinding (kv_binding: iobinding: past and present in device memory under CUDA) and through the
// host path (ONNX Runtime copies every input and output across itself).
Line("");
Line("## Text generation");
var sessions = new OnnxSessionFactory(Options.Create(new RuntimeOptions { IntraOpNumThreads = 1 }), NullLogger<OnnxSessionFactory>.Instance);
var llama = small ? new LlamaDecoderDims(2, 128, 4, 2, 32, 256, 50257) : new LlamaDecoderDims(4, 384, 6, 2, 64, 1024, 50257);
var codedPath = WriteDecoder("coded", LlamaDecoder.Build(LlamaDecoderDims.Tiny, LlamaWeights.Coded));
var benchPath = WriteDecoder("bench", LlamaDecoder.Build(llama, LlamaWeights.RandomFloat));
Line($"decoders: tiny_llama's shape with coded integer weights (a wide greedy margin), and {llama.Layers} layers of {llama.Hidden} ({llama.Parameters / 1_000_000.0:0.0} M parameters) with random weights");

// Greedy tokens of six staggered prompts decoded together, on each path: every path must give the CPU's tokens.
var prompts = Enumerable.Range(0, 6).Select(p => Enumerable.Range(0, 3 + (p * 5)).Select(t => 11 + ((t * 31) + (p * 7)) % 5000).ToArray()).ToArray();
var cpuTokens = await GreedyAsync(codedPath, cpu, KvBinding.Host, prompts, 24);
foreach (var binding in new[] { KvBinding.Host, KvBinding.IoBinding })
{
    var tokens = await GreedyAsync(codedPath, device, binding, prompts, 24);
    var same = tokens.Zip(cpuTokens, (a, b) => a.SequenceEqual(b)).Count(x => x);
    Line($"coded decoder, {device.Kind} kv_binding {binding}: {same} of {prompts.Length} sequences give the CPU host path's greedy tokens");
}

// Output tokens per second at concurrency 1, 8 and 32, 64 tokens each (ignore_eos), on each path.
foreach (var binding in new[] { KvBinding.Host, KvBinding.IoBinding })
{
    var generationFreeBefore = nvml.GetGpu(0)?.FreeMemoryBytes;
    using var stepModel = LoadDecoder(benchPath, device, binding);
    await using var engine = new GenerationEngine(stepModel, new NoText(), new EngineOptions { KvCacheBytes = 1L << 30, MaxNumSeqs = 32, MaxModelLen = 512 });
    await DecodeAsync(engine, 2, 8);
    var generationUsed = generationFreeBefore - nvml.GetGpu(0)?.FreeMemoryBytes is { } g ? $"{g >> 20} MiB" : "n/a";
    foreach (var concurrency in new[] { 1, 8, 32 })
    {
        var stopwatch = Stopwatch.StartNew();
        long produced = 0;
        var rounds = 0;
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            produced += await DecodeAsync(engine, concurrency, 64);
            rounds++;
        }

        Line($"bench decoder, {device.Kind} kv_binding {binding}, concurrency {concurrency}: {produced / stopwatch.Elapsed.TotalSeconds:0} output tokens/s ({rounds} rounds of 64 tokens each)");
    }

    Line($"bench decoder, {device.Kind} kv_binding {binding}: GPU memory taken (NVML, session and its buffers after the first decodes): {generationUsed}");
}

Directory.CreateDirectory(outDir);
File.WriteAllText(Path.Combine(outDir, "gpucheck.md"), report.ToString());
return 0;

// A decoder in a folder of its own, with the genai_config.json that gives what the graph cannot (its context length).
string WriteDecoder(string name, byte[] onnx)
{
    var folder = Path.Combine(repository, "decoders", name);
    Directory.CreateDirectory(folder);
    File.WriteAllBytes(Path.Combine(folder, "model.onnx"), onnx);
    File.WriteAllText(Path.Combine(folder, "genai_config.json"), """{ "model": { "context_length": 512, "eos_token_id": 50256, "vocab_size": 50257, "decoder": { "filename": "model.onnx" } } }""");
    return Path.Combine(folder, "model.onnx");
}

OnnxDecoderStepModel LoadDecoder(string path, LocalDevice on, KvBinding binding)
{
    var session = sessions.Create(path, Path.GetFileNameWithoutExtension(path), 1, on);
    return new OnnxDecoderStepModel(session, DecoderLayout.Read(session, Path.GetDirectoryName(path), path), binding, on.Kind == DeviceKind.Gpu ? on.Index : null);
}

async Task<List<int>[]> GreedyAsync(string path, LocalDevice on, KvBinding binding, int[][] prompts, int maxTokens)
{
    using var stepModel = LoadDecoder(path, on, binding);
    await using var engine = new GenerationEngine(stepModel, new NoText(), new EngineOptions { KvCacheBytes = 64L << 20, MaxNumSeqs = 8, MaxNumBatchedTokens = 32 });
    var sampling = new SamplingParameters { Temperature = 0, MaxTokens = maxTokens, IgnoreEos = true };
    var reads = prompts.Select(async (prompt, i) =>
    {
        // Staggered: each joins a batch already decoding.
        await Task.Delay(i * 5);
        var tokens = new List<int>();
        await foreach (var update in engine.Submit(new GenerationRequest(prompt, sampling, []), CancellationToken.None).ReadAllAsync())
        {
            tokens.AddRange(update.TokenIds);
            if (update.Error is { } error)
            {
                throw new InvalidOperationException(error);
            }
        }

        return tokens;
    });
    return await Task.WhenAll(reads);
}

static async Task<long> DecodeAsync(GenerationEngine engine, int concurrency, int maxTokens)
{
    var sampling = new SamplingParameters { Temperature = 0, MaxTokens = maxTokens, IgnoreEos = true };
    var reads = Enumerable.Range(0, concurrency).Select(async c =>
    {
        long tokens = 0;
        var prompt = Enumerable.Range(0, 16).Select(t => 100 + ((t * 13) + c) % 1000).ToArray();
        await foreach (var update in engine.Submit(new GenerationRequest(prompt, sampling, []), CancellationToken.None).ReadAllAsync())
        {
            tokens += update.TokenIds.Count;
            if (update.Error is { } error)
            {
                throw new InvalidOperationException(error);
            }
        }

        return tokens;
    });
    return (await Task.WhenAll(reads)).Sum();
}

InferTensor[] Inputs(int rows)
{
    var random = new Random(rows);
    var values = new float[rows * sequence * hidden];
    for (var i = 0; i < values.Length; i++)
    {
        values[i] = (float)(random.NextDouble() - 0.5);
    }

    return [new InferTensor("INPUT0", "FP32", [rows, sequence, hidden], MemoryMarshal.AsBytes(values.AsSpan()).ToArray())];
}

static float[] Floats(InferTensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.Data).ToArray();

static string Run(string file, string arguments)
{
    try
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : "";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "";
    }
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

string OptionText(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

// The engine needs a detokenizer for stop strings; these checks compare token ids only.
internal sealed class NoText : ITokenDecoder
{
    public string Decode(ReadOnlySpan<int> tokens, bool skipSpecialTokens) => "";

    public bool IsSpecial(int token) => false;
}
