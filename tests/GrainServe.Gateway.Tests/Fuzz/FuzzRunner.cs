using System.Collections.Concurrent;
using CsCheck;
using Xunit.Abstractions;

namespace GrainServe.Gateway.Fuzz;

/// <summary>
/// Runs a bounded, reproducible fuzz pass: the cases come one after another from one logged seed (so a CI run can be
/// replayed exactly), run a few at a time; the first failure is handed to CsCheck, which starts from its seed,
/// shrinks it and reports the smallest failing input with the seed that reproduces it.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>Set to a CsCheck seed to replay a run; unset, the fixed default below keeps CI deterministic.</summary>
    public const string SeedVariable = "GRAINSERVE_FUZZ_SEED";

    private const string DefaultSeed = "0000FuzzSeed";

    public static async Task RunAsync<T>(Gen<T> gen, Func<T, Task> check, int count, int parallel, ITestOutputHelper output, string name)
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } given ? given : DefaultSeed;
        var pcg = PCG.Parse(seed);
        var cases = new List<(int Index, string Seed, T Value)>(count);
        for (var i = 0; i < count; i++)
        {
            var state = pcg.State;
            cases.Add((i, pcg.ToString(state), gen.Generate(pcg, null, out _)));
        }

        output.WriteLine($"{name}: {count} cases from seed {seed} ({SeedVariable}={seed} replays them)");
        var failures = new ConcurrentBag<(int Index, string Seed, T Value, Exception Error)>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (c, _) =>
        {
            try
            {
                await check(c.Value);
            }
            catch (Exception ex)
            {
                failures.Add((c.Index, c.Seed, c.Value, ex));
            }
        });

        if (failures.IsEmpty)
        {
            return;
        }

        var first = failures.MinBy(f => f.Index);
        output.WriteLine($"{failures.Count} of {count} cases failed; the first, case {first.Index} (seed {first.Seed}):\n{first.Value}\n{first.Error.Message}");
        // Every distinct answer, so that one run shows each bug and not only the first.
        foreach (var kind in failures.GroupBy(f => Shorten(f.Error.Message)).OrderBy(g => g.Min(f => f.Index)))
        {
            var example = kind.MinBy(f => f.Index);
            output.WriteLine($"×{kind.Count()}: {kind.Key}\n    e.g. case {example.Index} (seed {example.Seed}): {Shorten(example.Value?.ToString() ?? "")}");
        }

        // CsCheck replays the failing seed first, then shrinks for a bounded time; it throws with the smallest input it finds.
        await gen.SampleAsync(check, output.WriteLine, seed: first.Seed, time: 10, threads: 1, print: v => v?.ToString() ?? "null");
        throw new Xunit.Sdk.XunitException($"case {first.Index} failed but did not fail again under CsCheck (seed {first.Seed}):\n{first.Value}\n{first.Error}");
    }

    private static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";
}
