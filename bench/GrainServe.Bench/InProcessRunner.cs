using GrainServe.Gpu;
using GrainServe.Models;
using GrainServe.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrainServe.Bench;

/// <summary>The in-process reference arms' runner: GrainServe's own, with the servers' session options.</summary>
internal static class InProcessRunner
{
    /// <summary>Loads <paramref name="model"/> from <paramref name="repositoryPath"/> on a CPU device, one intra-op thread as the servers run.</summary>
    public static IModelRunner Create(string repositoryPath, string model)
    {
        var repository = new ModelRepository(Options.Create(new ModelRepositoryOptions { Path = repositoryPath }), NullLogger<ModelRepository>.Instance);
        var factory = new OnnxModelRunnerFactory(Options.Create(new RuntimeOptions { IntraOpNumThreads = 1 }), NullLogger<OnnxSessionFactory>.Instance);
        var device = new LocalDevice("cpu0", DeviceKind.Cpu, 0, "cpu0", "CPU-bench-0", 1L << 32, 1L << 32);
        return factory.Create(repository.Find(model) ?? throw new InvalidOperationException($"no model {model} in {repositoryPath}"), 1, device);
    }
}
