using System.Runtime.CompilerServices;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Models;

namespace GrainServe.Routing;

/// <summary>
/// The data plane's router: sends each request straight to a GPU grain, by the model's routing table (cached, refreshed
/// twice a second) and this gateway's own counts of requests in flight, so no request passes through the model grain.
/// The model grain is called only when the table says something is missing: a version with no instance, or an
/// instance a request found gone, which it replaces.
/// </summary>
public sealed class ModelRouter : IAsyncDisposable
{
    // Failovers one request may take: enough for every instance of a small version and one re-placement.
    private const int MaxAttempts = 4;

    private readonly RoutingTables _tables;
    private readonly Random _random = new();

    /// <summary>Creates a router that calls grains through <paramref name="grains"/>.</summary>
    public ModelRouter(IGrainFactory grains, TimeProvider time)
    {
        _tables = new RoutingTables(grains, time);
    }

    /// <summary>
    /// Runs an inference request on one of its version's instances. Expected failures come back as an error value: an
    /// unknown model or version, not ready, bad input (checked by the instance against its effective config), a full
    /// queue. Inference is idempotent, so a request whose instance was lost (its silo died or is draining) runs again on
    /// another; when none is left, the version is placed again.
    /// </summary>
    public async Task<InferenceResult> InferAsync(string model, InferenceRequest request, CancellationToken cancellationToken)
    {
        InferenceError? lastError = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (routed, slot, error) = await ChooseAsync(model, request.ModelVersion, generation: false, cancellationToken);
            if (slot is null)
            {
                return InferenceResult.Failure(error!);
            }

            slot.Enter();
            try
            {
                // The token travels with the call, so a client that goes away takes its request out of the queue.
                var result = await slot.Device.Infer(slot.InstanceId, request, cancellationToken).WaitAsync(cancellationToken);
                if (result.Error is not { Code: InferenceErrorCode.ModelNotReady })
                {
                    return result;
                }

                lastError = result.Error;
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                lastError = new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{model}' version {slot.Version}: its device {slot.DeviceKey} is unreachable ({ex.GetType().Name}: {ex.Message}); retry");
            }
            finally
            {
                slot.Leave();
            }

            await ReportLostAsync(routed!, slot, cancellationToken);
        }

        return InferenceResult.Failure(InferenceErrorCode.ModelNotReady, $"{lastError!.Message} (after {MaxAttempts} instances)");
    }

    /// <summary>
    /// Streams a generation from one of its version's instances, the one with fewer sequences in flight of two drawn
    /// (then the one with more KV cache free). Expected failures come as one chunk with an error. An instance lost before
    /// it streamed anything is replaced silently; once text went out, a lost instance ends the stream with a retryable
    /// error rather than restart it with text the client already has.
    /// </summary>
    public async IAsyncEnumerable<GenerateChunk> GenerateAsync(string model, GenerateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (routed, slot, error) = await ChooseAsync(model, request.ModelVersion, generation: true, cancellationToken);
            if (slot is null)
            {
                yield return new GenerateChunk { Error = error };
                yield break;
            }

            var streamed = false;
            var lost = false;
            slot.Enter();
            var enumerator = slot.Device.Generate(slot.InstanceId, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    GenerateChunk chunk;
                    try
                    {
                        if (!await enumerator.MoveNextAsync())
                        {
                            yield break;
                        }

                        chunk = enumerator.Current;
                    }
                    catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
                    {
                        chunk = GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{model}' version {slot.Version} lost its instance on {slot.DeviceKey} ({ex.GetType().Name}); retry");
                        lost = true;
                    }

                    if (!streamed && chunk.Error is { Code: InferenceErrorCode.ModelNotReady })
                    {
                        // The instance is gone (unloaded, re-placed, or its silo died) before it produced anything: try another.
                        lost = true;
                        break;
                    }

                    if (lost)
                    {
                        yield return GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{model}' version {slot.Version} lost its instance in the middle of the stream; retry");
                        yield break;
                    }

                    streamed = true;
                    slot.KvCacheUsage = chunk.KvCacheUsage;
                    yield return chunk;
                    if (chunk.Error is not null)
                    {
                        yield break;
                    }
                }
            }
            finally
            {
                slot.Leave();
                await DisposeQuietlyAsync(enumerator);
                if (lost)
                {
                    await ReportLostAsync(routed!, slot, CancellationToken.None);
                }
            }
        }

        yield return GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{model}' lost its instances {MaxAttempts} times in a row; retry");
    }

    /// <summary>
    /// Takes the model's table from its grain now rather than at the next refresh: for a change this gateway made itself
    /// (a load or an unload), so that its own next request sees it.
    /// </summary>
    public Task RefreshAsync(string model, CancellationToken cancellationToken) => _tables.RefreshAsync(model, cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _tables.DisposeAsync();

    // The version and instance a request goes to. A version the table shows without instances, or not ready, is
    // reported to the model grain once (which places it again, at most once a second), then the table is read again.
    private async Task<(RoutedModel? Routed, InstanceSlot? Slot, InferenceError? Error)> ChooseAsync(string model, string? version, bool generation, CancellationToken cancellationToken)
    {
        RoutedModel routed;
        try
        {
            routed = await _tables.GetAsync(model, cancellationToken);
        }
        catch (InferenceException ex)
        {
            return (null, null, new InferenceError(ex.Code, ex.Message));
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            return (null, null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{model}': the cluster lost the model's grain ({ex.GetType().Name}); retry"));
        }

        // A version scaled to zero: the model grain holds this call while an instance loads (a cold start, which
        // requests arriving meanwhile share), and answers the table with it.
        var scaledToZero = VersionChoice.ScaledToZero(routed.Table, version);
        if (scaledToZero is not null)
        {
            await ColdStartAsync(routed, scaledToZero, cancellationToken);
        }

        var (chosen, error) = VersionChoice.Select(routed.Table, version);
        if (scaledToZero is null && error is { Code: InferenceErrorCode.ModelNotReady } && NotReadyVersion(routed.Table, version) is { } missing)
        {
            await _tables.RecoverAsync(routed, missing, null, cancellationToken);
            (chosen, error) = VersionChoice.Select(routed.Table, version);
        }

        if (chosen is null)
        {
            return (routed, null, error);
        }

        var slots = routed.SlotsOf(chosen);
        var index = generation
            ? InstancePicker.PickOfTwo(slots.Select(s => (s.InFlight, s.KvCacheUsage)).ToList(), _random)
            : InstancePicker.PickOfTwo(slots.Select(s => s.InFlight).ToList(), _random);
        return index < 0
            ? (routed, null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{model}' version {chosen.Version} has no instance; retry"))
            : (routed, slots[index], null);
    }

    // The version a not-ready answer is about: the one named, or the newest served one.
    private static string? NotReadyVersion(RoutingTable table, string? requested) =>
        requested is not null
            ? Array.Find(table.Versions, v => v.Version == requested)?.Version
            : table.Versions.FirstOrDefault()?.Version;

    private async Task ColdStartAsync(RoutedModel routed, string version, CancellationToken cancellationToken)
    {
        try
        {
            await _tables.RecoverAsync(routed, version, null, cancellationToken);
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            // The table still shows no instance: the request answers not ready.
        }
    }

    private async Task ReportLostAsync(RoutedModel routed, InstanceSlot slot, CancellationToken cancellationToken)
    {
        routed.Exclude(slot);
        try
        {
            await _tables.RecoverAsync(routed, slot.Version, new RoutedInstance(slot.InstanceId, slot.DeviceKey), cancellationToken);
        }
        catch (Exception ex) when (ex is InferenceException || ClusterFailure.IsUnreachable(ex))
        {
            // The next attempt reads the table it has; its refresh brings the rest.
        }
    }

    private static async Task DisposeQuietlyAsync(IAsyncEnumerator<GenerateChunk> enumerator)
    {
        try
        {
            await enumerator.DisposeAsync();
        }
        catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
        {
            // The instance's silo is gone, and its enumeration with it.
        }
    }
}
