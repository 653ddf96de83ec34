using GrainServe.Gpu;
using GrainServe.Models;

namespace GrainServe.Runtime;

/// <summary>
/// Serves the model kinds it names: estimates what an instance takes of a device's budget and creates the instance
/// with its scheduler. Providers are registered in DI (one per kind, added with TryAddEnumerable); the GPU grain picks
/// by <see cref="ModelKinds.Of"/> instead of branching on kinds itself.
/// </summary>
public interface IModelRunnerProvider
{
    /// <summary>The <c>model_kind</c> values this provider serves.</summary>
    IReadOnlyList<string> Kinds { get; }

    /// <summary>
    /// Bytes the instance is charged before it loads: the admission check on every device, and the whole charge on a CPU
    /// (a GPU's is measured from NVML around the load, plus any pool the provider reserves).
    /// </summary>
    long EstimateBytes(ModelDefinition model, long version);

    /// <summary>
    /// Loads the instance and starts its scheduler. Blocks for as long as loading takes (the caller runs it off the
    /// grain's turn). Throws <see cref="ModelLoadException"/> with a reason a user can act on.
    /// </summary>
    IInstanceScheduler Create(ModelDefinition model, long version, LocalDevice device);
}
