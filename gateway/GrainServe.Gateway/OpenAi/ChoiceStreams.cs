using System.Runtime.CompilerServices;
using System.Threading.Channels;
using GrainServe.Gateway.DataPlane;
using GrainServe.Generation;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// Runs OpenAI's <c>n</c> choices as n sequences at once (they share the engine's steps) and yields their chunks as they
/// arrive, each with its choice index. A seeded request seeds choice i with seed + i: reproducible, yet not n copies.
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
        var pumps = Enumerable.Range(0, call.N).Select(async index =>
        {
            var request = call.Request.Seed is { } seed ? call.Request with { Seed = unchecked(seed + index) } : call.Request;
            try
            {
                await foreach (var chunk in dataPlane.GenerateAsync(call.Model, request, header, stop.Token))
                {
                    await merged.Writer.WriteAsync((index, chunk), stop.Token);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One failed choice fails the answer now, not once the other choices have finished.
                merged.Writer.TryComplete(ex);
                await stop.CancelAsync();
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
