using System.Runtime.CompilerServices;
using GrainServe.Errors;
using GrainServe.Generation;

namespace GrainServe.Models;

// Generation streams pass through the model grain until the routing table (the traffic issue) lets the gateway call the
// GPU grains itself; the stream then goes GPU grain -> gateway directly.
internal sealed partial class ModelGrain
{
    public async IAsyncEnumerable<GenerateChunk> Generate(GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (version, error) = await ResolveVersionAsync(request.ModelVersion);
        if (error is null && ModelKinds.Of(version!.Config!) != ModelKinds.TextGeneration)
        {
            error = new InferenceError(InferenceErrorCode.InvalidInput, $"model '{Name}' is not a text generation model (model_kind '{ModelKinds.Of(version.Config!)}'); use its /infer route");
        }

        if (error is not null)
        {
            yield return new GenerateChunk { Error = error };
            yield break;
        }

        // A lost instance that streamed nothing yet is invisible to the client: the request runs on another one (or
        // on the version placed again). Once text went out, the client has to be told: its stream ends with a
        // retryable error rather than restart with text it already has.
        for (var attempt = 0; ; attempt++)
        {
            var streamed = false;
            var lost = false;
            while (!lost && version!.Instances.Count > 0)
            {
                // Every stream of this model passes through this grain, so its counts are the instances' sequences.
                var slot = version.Instances[InstanceRouter.PickForGeneration(
                    version.Instances.Select(s => s.Pending).ToList(), version.Instances.Select(s => s.KvCacheUsage).ToList(), _random)];
                slot.Pending++;
                var enumerator = slot.Device.Generate(slot.Info.InstanceId, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
                try
                {
                    while (true)
                    {
                        GenerateChunk chunk;
                        try
                        {
                            if (!await enumerator.MoveNextAsync())
                            {
                                break;
                            }

                            chunk = enumerator.Current;
                        }
                        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
                        {
                            LogInstanceLost(_logger, Name, version.Version, slot.Info.DeviceKey, ex.Message);
                            lost = true;
                            break;
                        }

                        if (!streamed && chunk.Error is { Code: InferenceErrorCode.ModelNotReady } && !_unloaded)
                        {
                            // The instance is gone from its device (unloaded or re-placed): try another.
                            LogInstanceLost(_logger, Name, version.Version, slot.Info.DeviceKey, chunk.Error.Message);
                            lost = true;
                            break;
                        }

                        streamed = true;
                        slot.KvCacheUsage = chunk.KvCacheUsage;
                        yield return chunk;
                    }
                }
                finally
                {
                    slot.Pending--;
                    await DisposeQuietlyAsync(enumerator);
                }

                if (!lost)
                {
                    yield break;
                }

                version.Instances.Remove(slot);
                if (streamed)
                {
                    yield return GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{Name}' version {version.Version} lost its instance in the middle of the stream; retry");
                    yield break;
                }

                lost = false;
            }

            if (attempt > 0 || _unloaded)
            {
                yield return GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{Name}' version {version!.Version} lost its instances and could not be placed again: {version.Reason}; retry");
                yield break;
            }

            await EnsureLoaded();
            if (version!.Instances.Count == 0)
            {
                yield return GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{Name}' version {version.Version} is not ready: {version.Reason}; retry");
                yield break;
            }
        }
    }

    private async Task DisposeQuietlyAsync(IAsyncEnumerator<GenerateChunk> enumerator)
    {
        try
        {
            await enumerator.DisposeAsync();
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            // The instance's silo is gone, and its enumeration with it.
            LogInstanceLost(_logger, Name, "", "", ex.Message);
        }
    }
}
