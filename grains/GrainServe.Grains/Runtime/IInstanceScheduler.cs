using GrainServe.Batching;
using GrainServe.Contracts;
using GrainServe.Generation;
using GrainServe.Models;

namespace GrainServe.Runtime;

/// <summary>
/// What runs the requests of one model instance: the dynamic batch queue for classic models (one formed batch in, one
/// answer out), the generation engine for decoders (sequences join and leave the running batch at every step). The GPU
/// grain owns the device and its budget; the scheduler owns the work.
/// </summary>
public interface IInstanceScheduler : IAsyncDisposable
{
    /// <summary>The instance's effective configuration.</summary>
    ModelConfig Config { get; }

    /// <summary>Requests queued or running: the load figure routing compares.</summary>
    int Pending { get; }

    /// <summary>Requests accepted and not started yet: Triton's pending request count (the running batch excluded).</summary>
    int Waiting { get; }

    /// <summary>Triton-style statistics since the instance loaded.</summary>
    InstanceStatistics Statistics { get; }

    /// <summary>Runs one inference request; a scheduler that cannot (a generation model) answers with an error value.</summary>
    Task<InferenceResult> Infer(InferenceRequest request, CancellationToken cancellationToken);

    /// <summary>Streams one generation; a scheduler that cannot (a classic model) yields one error chunk.</summary>
    IAsyncEnumerable<GenerateChunk> Generate(GenerateRequest request, CancellationToken cancellationToken);
}
