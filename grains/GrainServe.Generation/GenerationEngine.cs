using System.Threading.Channels;

namespace GrainServe.Generation;

/// <summary>
/// Continuous batching over one step model: sequences join and leave the running batch at every step, as vLLM's
/// iteration-level scheduler does. One loop thread runs steps while any sequence is waiting or running.
/// </summary>
public sealed class GenerationEngine : IAsyncDisposable
{
    /// <summary>Creates the engine; its loop starts with the first request.</summary>
    public GenerationEngine(IStepModel model, ITokenDecoder decoder, EngineOptions options, TimeProvider? time = null, IGenerationObserver? observer = null)
    {
        throw new NotImplementedException();
    }

    /// <summary>The options in force, <see cref="EngineOptions.MaxModelLen"/> resolved against the model.</summary>
    public EngineOptions Options => throw new NotImplementedException();

    /// <summary>The most tokens one sequence may hold (prompt plus output): min(max_model_len, the KV pool).</summary>
    public int MaxSequenceTokens => throw new NotImplementedException();

    /// <summary>
    /// Why the request cannot run (an empty prompt, a token at or past the vocabulary, prompt plus max_tokens past
    /// max_model_len or past the whole KV pool, a bad sampling value), as a message for a 400; null when it can.
    /// </summary>
    public string? Validate(GenerationRequest request) => throw new NotImplementedException();

    /// <summary>
    /// Queues the sequence. The reader yields its updates as steps produce them and completes after the one carrying
    /// <see cref="GenerationUpdate.Finish"/>. Cancelling <paramref name="cancellationToken"/> removes the sequence at
    /// the next step and frees its cache; its last update is then <see cref="FinishReason.Cancelled"/>.
    /// Throws <see cref="ArgumentException"/> when <see cref="Validate"/> would refuse it, and
    /// <see cref="ObjectDisposedException"/> once the engine is disposed.
    /// </summary>
    public ChannelReader<GenerationUpdate> Submit(GenerationRequest request, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>The live figures.</summary>
    public EngineSnapshot Snapshot() => throw new NotImplementedException();

    /// <summary>Stops the loop; sequences still queued or running finish with <see cref="FinishReason.Error"/>.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
