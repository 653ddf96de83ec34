using System.Runtime.CompilerServices;
using System.Threading.Channels;
using GrainServe.Gateway.DataPlane;
using GrainServe.Generation;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// Runs OpenAI's <c>n</c> choices as n sequences at once (they share the engine's steps) and yields their chunks as they
/// arrive, each with its choice index. A seeded request seeds choice i with seed + i: reproducible, yet not n copies.
/// The choices of one answer all run on the version the first one was routed to.
/// </summary>
internal static class ChoiceStreams
{
    public static async IAsyncEnumerable<(int Index, GenerateChunk Chunk)> RunAsync(IInferenceDataPlane dataPlane, OpenAiGenerationCall call, Func<string, string?>? header, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (call.N == 1)
        {
            await foreach (var chunk in dataPlane.GenerateAsync(call.Model, call.Request, header, cancellationToken))
            {
                yield return (0, chunk);
            }

            yield break;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var merged = Channel.CreateUnbounded<(int, GenerateChunk)>(new UnboundedChannelOptions { SingleReader = true });

        // All choices of one answer come from one version: where the request names none and the model splits its
        // traffic, the first choice's version (from its first chunk) pins the others, which start only then.
        var pinned = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (call.Request.ModelVersion is not null)
        {
            pinned.SetResult(call.Request.ModelVersion);
        }

        var pumps = Enumerable.Range(0, call.N).Select(async index =>
        {
            try
            {
                var request = call.Request.Seed is { } seed ? call.Request with { Seed = unchecked(seed + index) } : call.Request;
                if (index > 0 && await pinned.Task.WaitAsync(stop.Token) is { Length: > 0 } version)
                {
                    request = request with { ModelVersion = version };
                }

                await foreach (var chunk in dataPlane.GenerateAsync(call.Model, request, header, stop.Token))
                {
                    if (index == 0)
                    {
                        pinned.TrySetResult(chunk.Error is null ? chunk.ModelVersion : null);
                    }

                    await merged.Writer.WriteAsync((index, chunk), stop.Token);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One failed choice fails the answer now, not once the other choices have finished.
                merged.Writer.TryComplete(ex);
                await stop.CancelAsync();
            }
            finally
            {
                // A first choice that ended without a chunk (or failed) lets the others route as they would.
                if (index == 0)
                {
                    pinned.TrySetResult(null);
                }
            }
        }).ToArray();
        var all = Task.WhenAll(pumps).ContinueWith(t => merged.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        try
        {
            await foreach (var item in merged.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            // A caller that stops reading (an error answered, a client gone) takes the other choices with it.
            await stop.CancelAsync();
            await all;
        }
    }
}
