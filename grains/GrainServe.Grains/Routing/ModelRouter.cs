using System.Diagnostics;
using System.Runtime.CompilerServices;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Gpu;
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

    // Mirrored copies in flight at most, per gateway, and how long one may take.
    private const int MaxMirrorsInFlight = 64;
    private static readonly TimeSpan MirrorTimeout = TimeSpan.FromSeconds(60);

    // How long a failover waits for the model grain to take note of a lost instance.
    private static readonly TimeSpan RecoverWait = TimeSpan.FromSeconds(2);

    private readonly RoutingTables _tables;
    private readonly HopWatch _hops;
    private readonly TimeProvider _time;
    private readonly LocalInstances? _local;

    // Random.Shared: the router is called from many threads at once.
    private readonly Random _random = Random.Shared;
    private int _mirrorsInFlight;

    /// <summary>
    /// Creates a router that calls grains through <paramref name="grains"/>, and runs a request for an instance of this
    /// silo's own devices (<paramref name="local"/>, null where it hosts none) on its scheduler without the grain call.
    /// </summary>
    public ModelRouter(IGrainFactory grains, TimeProvider time, LocalInstances? local = null)
    {
        _tables = new RoutingTables(grains, time);
        _hops = new HopWatch(time);
        _time = time;
        _local = local;
    }

    /// <summary>
    /// Runs an inference request on one of its version's instances. Expected failures come back as an error value: an
    /// unknown model or version, not ready, bad input (checked by the instance against its effective config), a full
    /// queue, a deadline that cannot be met. Inference is idempotent, so a request whose instance was lost (its silo died
    /// or is draining) runs again on another; when none is left, the version is placed again. A request with a
    /// <see cref="InferenceRequest.Deadline"/> goes to an instance whose queue can meet it, where the figures tell; one
    /// whose deadline has passed already is answered at once, without a grain call.
    /// </summary>
    public async Task<InferenceResult> InferAsync(string model, InferenceRequest request, Func<string, string?>? header = null, CancellationToken cancellationToken = default)
    {
        InferenceError? lastError = null;
        var started = Stopwatch.GetTimestamp();
        RoutedModel? routed = null;
        string? version = null;
        using var span = RouterTracing.StartRequest(model, request.Id);
        if (request.Deadline is { } deadline && deadline <= _time.GetUtcNow())
        {
            var late = InferenceResult.Failure(InferenceErrorCode.DeadlineExceeded, $"model '{model}': the request's deadline passed before it was routed, so it was not run");
            RouterTracing.End(span, null, late.Error);
            return late;
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var route = RouterTracing.StartRoute(attempt);
            (routed, var slot, var error) = await ChooseAsync(model, request.ModelVersion, header, generation: false, cancellationToken, request.Deadline);
            RouterTracing.EndRoute(route, slot, error);
            if (slot is null)
            {
                RouterTracing.End(span, null, error);
                return InferenceResult.Failure(error!);
            }

            if (attempt == 0 && request.ModelVersion is null)
            {
                MaybeMirror(routed!, slot.Version, mirror => MirrorInferAsync(mirror, request));
            }

            version = slot.Version;
            slot.Enter();
            using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                // The token travels with the call, so a client that goes away takes its request out of the queue; a hop
                // found dead cancels it too, so the abandoned call leaves the queue if its silo ever resumes.
                var device = slot.Device;
                var result = _local?.Find(slot.DeviceKey, slot.InstanceId) is { } local
                    ? await local.InferAsync(request, call.Token)
                    : await _hops.AwaitAsync(device.Infer(slot.InstanceId, request, call.Token), device.Ping, slot.DeviceKey, cancellationToken);
                slot.Estimate = result.Estimate ?? slot.Estimate;
                if (result.Error is not { Code: InferenceErrorCode.ModelNotReady })
                {
                    routed!.Record(slot.Version, Stopwatch.GetElapsedTime(started), IsServerFailure(result.Error));
                    RouterTracing.End(span, slot.Version, result.Error);
                    return result;
                }

                lastError = result.Error;
            }
            catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
            {
                lastError = new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{model}' version {slot.Version}: its device {slot.DeviceKey} is unreachable ({ex.GetType().Name}: {ex.Message}); retry");
                await call.CancelAsync();
            }
            finally
            {
                slot.Leave();
            }

            RouterTracing.Failover(span, slot, lastError!);
            await ReportLostAsync(routed!, slot, cancellationToken);
        }

        routed!.Record(version!, Stopwatch.GetElapsedTime(started), failed: true);
        var exhausted = InferenceResult.Failure(InferenceErrorCode.ModelNotReady, $"{lastError!.Message} (after {MaxAttempts} instances)");
        RouterTracing.End(span, version, exhausted.Error);
        return exhausted;
    }

    /// <summary>
    /// Streams a generation from one of its version's instances, the one with fewer sequences in flight of two drawn
    /// (then the one with more KV cache free). Expected failures come as one chunk with an error. An instance lost before
    /// it streamed anything is replaced silently; once text went out, a lost instance ends the stream with a retryable
    /// error rather than restart it with text the client already has.
    /// </summary>
    public async IAsyncEnumerable<GenerateChunk> GenerateAsync(string model, GenerateRequest request, Func<string, string?>? header = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (request.Deadline is not { } deadline)
        {
            await foreach (var chunk in GenerateWithinAsync(model, request, header, cancellationToken))
            {
                yield return chunk;
            }

            yield break;
        }

        var left = deadline - _time.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            yield return GenerateChunk.Failure(InferenceErrorCode.DeadlineExceeded, $"model '{model}': the request's deadline passed before it was routed, so it was not run");
            yield break;
        }

        // The deadline cancels the call as the client's going away does: the device drops the sequence at its next step.
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(left);
        var produced = 0;
        await using var chunks = GenerateWithinAsync(model, request, header, timer.Token).GetAsyncEnumerator(timer.Token);
        while (true)
        {
            bool more;
            try
            {
                more = await chunks.MoveNextAsync();
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                more = false;
            }

            if (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested && (!more || chunks.Current.FinishReason is GenerateFinishReason.Cancelled or GenerateFinishReason.Error))
            {
                yield return GenerateChunk.Failure(InferenceErrorCode.DeadlineExceeded, produced == 0
                    ? $"model '{model}': the request's deadline passed before it started, so it was not run"
                    : $"model '{model}': the request's deadline passed after {produced} chunks of its answer");
                yield break;
            }

            if (!more)
            {
                yield break;
            }

            produced++;
            yield return chunks.Current;
        }
    }

    private async IAsyncEnumerable<GenerateChunk> GenerateWithinAsync(string model, GenerateRequest request, Func<string, string?>? header, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var span = RouterTracing.StartRequest(model, null);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var route = RouterTracing.StartRoute(attempt);
            var (routed, slot, error) = await ChooseAsync(model, request.ModelVersion, header, generation: true, cancellationToken);
            RouterTracing.EndRoute(route, slot, error);
            if (slot is null)
            {
                RouterTracing.End(span, null, error);
                yield return new GenerateChunk { Error = error };
                yield break;
            }

            if (attempt == 0 && request.ModelVersion is null)
            {
                MaybeMirror(routed!, slot.Version, mirror => MirrorGenerateAsync(mirror, request));
            }

            var streamed = false;
            var lost = false;
            var hung = false;
            slot.Enter();
            using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var device = slot.Device;
            var enumerator = device.Generate(slot.InstanceId, request, call.Token).GetAsyncEnumerator(call.Token);
            try
            {
                while (true)
                {
                    GenerateChunk chunk;
                    try
                    {
                        // The wait for each chunk is watched: a long one probes the device (see HopWatch).
                        if (!await _hops.AwaitAsync(enumerator.MoveNextAsync().AsTask(), device.Ping, slot.DeviceKey, cancellationToken))
                        {
                            routed!.Record(slot.Version, Stopwatch.GetElapsedTime(started), failed: false);
                            RouterTracing.End(span, slot.Version, null);
                            yield break;
                        }

                        chunk = enumerator.Current;
                    }
                    catch (Exception ex) when (ClusterFailure.IsUnreachable(ex))
                    {
                        chunk = GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{model}' version {slot.Version} lost its instance on {slot.DeviceKey} ({ex.GetType().Name}); retry");
                        lost = true;
                        hung = ex is TimeoutException;
                    }

                    if (!streamed && chunk.Error is { Code: InferenceErrorCode.ModelNotReady })
                    {
                        // The instance is gone (unloaded, re-placed, or its silo died) before it produced anything: try another.
                        RouterTracing.Failover(span, slot, chunk.Error);
                        lost = true;
                        break;
                    }

                    if (lost)
                    {
                        routed!.Record(slot.Version, Stopwatch.GetElapsedTime(started), failed: true);
                        var failure = GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{model}' version {slot.Version} lost its instance in the middle of the stream; retry");
                        RouterTracing.End(span, slot.Version, failure.Error);
                        yield return failure;
                        yield break;
                    }

                    streamed = true;
                    slot.KvCacheUsage = chunk.KvCacheUsage;
                    if (chunk.Error is not null)
                    {
                        routed!.Record(slot.Version, Stopwatch.GetElapsedTime(started), IsServerFailure(chunk.Error));
                        RouterTracing.End(span, slot.Version, chunk.Error);
                    }

                    yield return chunk;
                    RouterTracing.Resume(span);
                    if (chunk.Error is not null)
                    {
                        yield break;
                    }
                }
            }
            finally
            {
                slot.Leave();
                if (hung)
                {
                    // A hung silo would hold the dispose as long as the call's response timeout: leave it behind.
                    await call.CancelAsync();
                    _ = DisposeQuietlyAsync(enumerator);
                }
                else
                {
                    await DisposeQuietlyAsync(enumerator);
                }

                if (lost)
                {
                    await ReportLostAsync(routed!, slot, CancellationToken.None);
                }
            }
        }

        var exhausted = GenerateChunk.Failure(InferenceErrorCode.ModelNotReady, $"model '{model}' lost its instances {MaxAttempts} times in a row; retry");
        RouterTracing.End(span, null, exhausted.Error);
        yield return exhausted;
    }

    /// <summary>
    /// Takes the model's table from its grain now rather than at the next refresh: for a change this gateway made itself
    /// (a load or an unload), so that its own next request sees it.
    /// </summary>
    public Task RefreshAsync(string model, CancellationToken cancellationToken) => _tables.RefreshAsync(model, cancellationToken);

    /// <summary>The routing tables this gateway holds now: the models it has routed, their versions and weights.</summary>
    public IReadOnlyList<RoutingTable> CachedTables() => _tables.Cached();

    /// <summary>
    /// True when the model (any of its versions) is a speech model, Whisper or a voice: what an audio-seconds quota
    /// applies to. From the cached routing table, fetched on first use; false for an unknown model (its request fails
    /// with the router's own error).
    /// </summary>
    public async Task<bool> IsSpeechModelAsync(string model, CancellationToken cancellationToken)
    {
        try
        {
            var routed = await _tables.GetAsync(model, cancellationToken);
            return routed.Table.Versions.Any(v => v.ModelKind is { } kind && ModelKinds.IsSpeech(kind));
        }
        catch (InferenceException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _tables.DisposeAsync();

    // The version and instance a request goes to. A version the table shows without instances, or not ready, is
    // reported to the model grain once (which places it again, at most once a second), then the table is read again.
    private async Task<(RoutedModel? Routed, InstanceSlot? Slot, InferenceError? Error)> ChooseAsync(string model, string? version, Func<string, string?>? header, bool generation, CancellationToken cancellationToken, DateTimeOffset? deadline = null)
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

        // The sticky header's value picks the version by its hash, so one caller sees one version.
        var stickyKey = routed.Table.StickyHeader is { } name && header?.Invoke(name) is { Length: > 0 } value ? value : null;
        var (chosen, error) = VersionChoice.Select(routed.Table, version, routed.Selector, stickyKey);
        if (chosen is { Instances.Length: 0, ScalesFromZero: true })
        {
            // A version scaled to zero: the model grain holds this call while an instance loads (a cold start, which
            // requests arriving meanwhile share), and answers the table with it. The request stays on the version chosen.
            var cold = chosen.Version;
            await ColdStartAsync(routed, cold, cancellationToken);
            var started = Array.Find(routed.Table.Versions, v => v.Version == cold);
            (chosen, error) = started is not null && VersionChoice.IsRoutable(started)
                ? (started, (InferenceError?)null)
                : ((RoutedVersion?)null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{model}' version {cold} was scaled to zero and its instance did not start: {started?.Reason ?? "it did not load in time"}; retry"));
        }
        else if (error is { Code: InferenceErrorCode.ModelNotReady } && VersionChoice.NotReadyVersion(routed.Table, version) is { } missing)
        {
            await _tables.RecoverAsync(routed, missing, null, cancellationToken);
            (chosen, error) = VersionChoice.Select(routed.Table, version, routed.Selector, stickyKey);
        }

        if (chosen is null)
        {
            return (routed, null, error);
        }

        var slots = routed.SlotsOf(chosen);
        var index = generation
            ? InstancePicker.PickOfTwo(slots.Select(s => (s.InFlight, s.KvCacheUsage)).ToList(), _random)
            : deadline is { } due
                ? InstancePicker.PickForDeadline(slots.Select(s => (s.InFlight, s.Estimate)).ToList(), due - _time.GetUtcNow(), _random)
                : InstancePicker.PickOfTwo(slots.Select(s => s.InFlight).ToList(), _random);
        return index < 0
            ? (routed, null, new InferenceError(InferenceErrorCode.ModelNotReady, $"model '{model}' version {chosen.Version} has no instance; retry"))
            : (routed, slots[index], null);
    }

    // Failures that count against a version in the canary analysis: the server's, not the client's own bad input,
    // a full queue (overload is not the version's fault) or a cancellation.
    private static bool IsServerFailure(InferenceError? error) =>
        error is { Code: InferenceErrorCode.Internal or InferenceErrorCode.ModelNotReady or InferenceErrorCode.Timeout };

    // Sends a copy of an unpinned request to the mirror version, in the background: its answer is discarded, it never
    // delays or fails the client's, and it is counted apart. Copies beyond MaxMirrorsInFlight are dropped, so a slow
    // mirror cannot pile up work.
    private void MaybeMirror(RoutedModel routed, string served, Func<InstanceSlot, Task> send)
    {
        if (routed.Table.Mirror is not { } mirror || mirror.Version == served || Random.Shared.NextDouble() * 100 >= mirror.Percent
            || Array.Find(routed.Table.Versions, v => v.Version == mirror.Version) is not { } version || !VersionChoice.IsRoutable(version))
        {
            return;
        }

        if (Interlocked.Increment(ref _mirrorsInFlight) > MaxMirrorsInFlight)
        {
            Interlocked.Decrement(ref _mirrorsInFlight);
            return;
        }

        var slots = routed.SlotsOf(version);
        var slot = slots[InstancePicker.PickOfTwo(slots.Select(s => s.InFlight).ToList(), _random)];
        routed.RecordMirrored(mirror.Version);
        _ = Task.Run(async () =>
        {
            slot.Enter();
            try
            {
                await send(slot);
            }
            catch (Exception ex) when (ex is OperationCanceledException || ClusterFailure.IsUnreachable(ex))
            {
                // A mirror's failure is nobody's business but its own statistics'.
            }
            finally
            {
                slot.Leave();
                Interlocked.Decrement(ref _mirrorsInFlight);
            }
        });
    }

    private static Task MirrorInferAsync(InstanceSlot slot, InferenceRequest request) =>
        slot.Device.Infer(slot.InstanceId, request).WaitAsync(MirrorTimeout);

    private static async Task MirrorGenerateAsync(InstanceSlot slot, GenerateRequest request)
    {
        using var timeout = new CancellationTokenSource(MirrorTimeout);
        await foreach (var chunk in slot.Device.Generate(slot.InstanceId, request, timeout.Token).WithCancellation(timeout.Token))
        {
            // Discarded.
        }
    }

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
            // Bounded: the request fails over on the table it has (the lost slot is excluded already) rather than wait for a
            // model grain that may itself be waiting on the hung silo; a version left without instances is placed again
            // when the next attempt finds none.
            await _tables.RecoverAsync(routed, slot.Version, new RoutedInstance(slot.InstanceId, slot.DeviceKey), cancellationToken).WaitAsync(RecoverWait, cancellationToken);
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
