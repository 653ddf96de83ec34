using System.Runtime.CompilerServices;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Models;
using GrainServe.Runtime;

namespace GrainServe.Batching;

/// <summary>
/// A classic model instance: its runner behind a dynamic batch queue. Owns both; disposing drains the queue, then
/// frees the runner.
/// </summary>
internal sealed class BatchedInstance(IModelRunner runner, BatchQueue queue) : IInstanceScheduler
{
    public ModelConfig Config => runner.Config;

    public int Pending => queue.Pending;

    public int Waiting => queue.Queued;

    public InstanceStatistics Statistics => queue.Statistics;

    public Task<InferenceResult> Infer(InferenceRequest request, CancellationToken cancellationToken)
    {
        // The instance checks requests against its own effective config: gateways route without knowing it. A runner
        // that can refuse one request (text that is not UTF-8) also does so here, before it joins a batch it would fail.
        var (validated, invalid) = InferenceRequestValidator.Validate(Config.Name ?? "", Config, request);
        if (invalid is null && runner is IRequestValidator validator)
        {
            invalid = validator.Validate(validated!);
        }

        if (invalid is not null)
        {
            queue.Statistics.RecordFailures(1, TimeSpan.Zero, FailureReason.Other);
            return Task.FromResult(InferenceResult.Failure(invalid));
        }

        return queue.Enqueue(validated!, cancellationToken);
    }

    public async IAsyncEnumerable<GenerateChunk> Generate(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield return GenerateChunk.Failure(InferenceErrorCode.InvalidInput, $"model '{Config.Name}' is not a text generation model (model_kind '{ModelKinds.Of(Config)}'); use its /infer route");
    }

    public async ValueTask DisposeAsync()
    {
        await queue.DisposeAsync();
        runner.Dispose();
    }
}
