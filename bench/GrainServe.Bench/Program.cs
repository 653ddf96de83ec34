using System.Globalization;
using GrainServe.Bench;

// dotnet run -c Release --project bench/GrainServe.Bench -- embeddings [--seconds 10] [--rounds 3]
// dotnet run -c Release --project bench/GrainServe.Bench -- throughput [--seconds 5] [--rounds 3]
// dotnet run -c Release --project bench/GrainServe.Bench -- generate [--seconds 10] [--rounds 3] [--concurrency 1,8,32] [--kv-binding iobinding]
// dotnet run -c Release --project bench/GrainServe.Bench -- coldstart [--rounds 5]
// dotnet run -c Release --project bench/GrainServe.Bench -- transcribe [--seconds 20] [--rounds 3] [--concurrency 1,8] [--beam-size 5]
// dotnet run -c Release --project bench/GrainServe.Bench -- speech [--seconds 20] [--rounds 3] [--gpt small|xtts-width]
// dotnet run -c Release --project bench/GrainServe.Bench -- soak [--duration 3] [--concurrency 6] [--sample-seconds 5] (minutes; hours for a release: --duration 240)
// dotnet run -c Release --project bench/GrainServe.Bench -- deadlines [--seconds 10] [--rounds 3] [--overload 1.5]
// dotnet run -c Release --project bench/GrainServe.Bench -- <scenario> --smoke
// dotnet run -c Release --project bench/GrainServe.Bench -- throughput --only "tiny grpc" --concurrency 64 (the arms whose name holds it, at that concurrency; for profiling)
// dotnet run -c Release --project bench/GrainServe.Bench -- throughput --baseline <another build's bin folder> (that build's server side by side)
var smoke = args.Contains("--smoke");
string[] valued = ["--only", "--concurrency", "--baseline", "--seconds", "--rounds", "--kv-binding", "--duration", "--sample-seconds", "--overload", "--beam-size", "--gpt"];
var scenario = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !valued.Contains(args[i - 1]))).FirstOrDefault() ?? "embeddings";
// A transcription takes seconds, so its arms need longer than the others' to answer more than a handful of requests.
var seconds = Option("--seconds", smoke ? 1 : scenario is "transcribe" or "speech" ? 20 : 10);
// A cold-start round is one request per model, not a timed arm, so it affords more rounds.
var rounds = Option("--rounds", smoke ? 1 : scenario == "coldstart" ? 5 : 3);
var only = Text("--only");

var perArm = scenario is "coldstart" or "soak" ? "" : $"{seconds} s per arm, ";
Console.WriteLine($"# GrainServe benchmark: {scenario}, {perArm}{(scenario == "soak" ? "" : $"{rounds} round(s), ")}{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
switch (scenario)
{
    case "embeddings":
        var concurrencies = smoke ? new[] { 1, 4 } : [1, 64];
        var results = await new EmbeddingScenario(TimeSpan.FromSeconds(seconds), rounds, concurrencies).RunAsync();
        Console.WriteLine(EmbeddingScenario.Report(results, rounds));
        return results.Any(r => r.Errors > 0 || r.Requests == 0) ? 1 : 0;
    case "throughput":
        var levels = Text("--concurrency")?.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() ?? (smoke ? [1, 4] : [1, 16, 64]);
        var measured = await new ThroughputScenario(TimeSpan.FromSeconds(seconds), rounds, levels, only, Text("--baseline")).RunAsync();
        Console.WriteLine(ThroughputScenario.Report(measured, rounds, levels.Max()));
        return measured.Any(r => r.Errors > 0 || r.Requests == 0) ? 1 : 0;
    case "generate":
        var generateLevels = Text("--concurrency")?.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() ?? (smoke ? [1, 4] : [1, 8, 32]);
        var generated = await new GenerateScenario(TimeSpan.FromSeconds(seconds), rounds, generateLevels, smoke, Text("--kv-binding") ?? "host").RunAsync();
        Console.WriteLine(GenerateScenario.Report(generated, generateLevels));
        return generated.Any(r => r.Errors > 0 || r.TokensPerSecond == 0) ? 1 : 0;
    case "coldstart":
        var coldStarts = await new ColdStartScenario(rounds).RunAsync();
        Console.WriteLine(ColdStartScenario.Report(coldStarts));
        return coldStarts.Count == 0 || coldStarts.Any(r => !r.Answered) ? 1 : 0;
    case "transcribe":
        var transcribeLevels = Text("--concurrency")?.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() ?? (smoke ? [1, 2] : [1, 8]);
        var beamSize = Option("--beam-size", 0);
        var transcribe = new TranscribeScenario(TimeSpan.FromSeconds(seconds), rounds, transcribeLevels, smoke, beamSize > 0 ? beamSize : null);
        var transcribed = await transcribe.RunAsync();
        Console.WriteLine(transcribe.Report(transcribed, rounds));
        return transcribed.Count == 0 || transcribed.Any(r => r.Errors > 0 || r.Requests == 0) ? 1 : 0;
    case "speech":
        var speech = new SpeechScenario(TimeSpan.FromSeconds(seconds), rounds, smoke, Text("--gpt") ?? "small");
        var spoken = await speech.RunAsync();
        Console.WriteLine(speech.Report(spoken));
        return spoken.Count == 0 || spoken.Any(r => r.Errors > 0 || r.Utterances == 0) ? 1 : 0;
    case "soak":
        // Minutes; the smoke runs a few seconds so that CI sees every route answer under the sampler.
        var minutes = smoke ? 0.1 : double.Parse(Text("--duration") ?? "3", CultureInfo.InvariantCulture);
        var soak = new SoakScenario(TimeSpan.FromMinutes(minutes), Option("--concurrency", smoke ? 3 : 6), TimeSpan.FromSeconds(Option("--sample-seconds", smoke ? 1 : 5)), smoke);
        var (routes, samples) = await soak.RunAsync();
        Console.WriteLine(soak.Report(routes, samples));
        return SoakScenario.AllAnswered(routes) ? 0 : 1;
    case "deadlines":
        var overload = Text("--overload") is { } factor ? double.Parse(factor, CultureInfo.InvariantCulture) : 1.5;
        var deadlines = await new DeadlineScenario(TimeSpan.FromSeconds(seconds), rounds, smoke, overload).RunAsync();
        Console.WriteLine(deadlines.ToMarkdown());
        return deadlines.Healthy ? 0 : 1;
    default:
        Console.Error.WriteLine($"unknown scenario '{scenario}'; use embeddings, throughput, generate, coldstart, transcribe, speech, soak or deadlines");
        return 2;
}

int Option(string name, int fallback) => Text(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

string? Text(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
