using System.Globalization;
using GrainServe.Bench;

// dotnet run -c Release --project bench/GrainServe.Bench -- embeddings [--seconds 10] [--rounds 3]
// dotnet run -c Release --project bench/GrainServe.Bench -- throughput [--seconds 5] [--rounds 2]
// dotnet run -c Release --project bench/GrainServe.Bench -- <scenario> --smoke
var smoke = args.Contains("--smoke");
var seconds = Option("--seconds", smoke ? 1 : 10);
var rounds = Option("--rounds", smoke ? 1 : 3);
var scenario = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "embeddings";

Console.WriteLine($"# GrainServe benchmark: {scenario}, {seconds} s per arm, {rounds} round(s), {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
switch (scenario)
{
    case "embeddings":
        var concurrencies = smoke ? new[] { 1, 4 } : [1, 64];
        var results = await new EmbeddingScenario(TimeSpan.FromSeconds(seconds), rounds, concurrencies).RunAsync();
        Console.WriteLine(EmbeddingScenario.Report(results, rounds));
        return results.Any(r => r.Errors > 0 || r.Requests == 0) ? 1 : 0;
    case "throughput":
        var levels = smoke ? new[] { 1, 4 } : [1, 16, 64];
        var measured = await new ThroughputScenario(TimeSpan.FromSeconds(seconds), rounds, levels).RunAsync();
        Console.WriteLine(ThroughputScenario.Report(measured, rounds, levels.Max()));
        return measured.Any(r => r.Errors > 0 || r.Requests == 0) ? 1 : 0;
    default:
        Console.Error.WriteLine($"unknown scenario '{scenario}'; use embeddings or throughput");
        return 2;
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
