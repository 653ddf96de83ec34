using GrainServe.Gpu;
using GrainServe.Models;

namespace GrainServe.Runtime;

/// <summary>
/// Creates the runner of a model instance on a device. The default creates ONNX Runtime sessions; tests
/// replace it to stay independent of model files.
/// </summary>
public interface IModelRunnerFactory
{
    /// <summary>
    /// Loads a model version for a device. Throws <see cref="ModelLoadException"/> with a reason a user can act
    /// on when the file or its configuration is unusable.
    /// </summary>
    IModelRunner Create(ModelDefinition model, long version, LocalDevice device);
}
