namespace GrainServe.Models;

/// <summary>
/// Reads the model repository that every silo mounts. A stateless worker: each silo answers from its own copy.
/// </summary>
/// <remarks>Key: always 0.</remarks>
public interface IModelRepositoryGrain : IGrainWithIntegerKey
{
    /// <summary>The names of the models in the repository, sorted.</summary>
    Task<string[]> ListModels();
}
