using Orleans.Concurrency;

namespace GrainServe.Models;

/// <summary>Answers from the local <see cref="ModelRepository"/>; stateless, so every silo runs its own.</summary>
[StatelessWorker]
internal sealed class ModelRepositoryGrain(ModelRepository repository) : Grain, IModelRepositoryGrain
{
    public Task<string[]> ListModels() => Task.FromResult(repository.ListModels().ToArray());
}
