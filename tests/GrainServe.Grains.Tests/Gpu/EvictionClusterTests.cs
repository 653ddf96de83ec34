using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Models;
using GrainServe.TestSupport;

namespace GrainServe.Gpu;

[Collection(EvictionCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class EvictionClusterTests(EvictionFixture fixture) : IAsyncLifetime
{
    private const string A = "lru-a";
    private const string B = "lru-b";
    private const string C = "lru-c";

    // Every test starts from an empty device; the first use of each model loads it explicitly (an unloaded model
    // waits for a load), every later one goes through the router alone.
    public async Task InitializeAsync()
    {
        foreach (var (name, _) in EvictionFixture.Models)
        {
            await Model(name).Unload();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Infer_ThirdModelWhereTwoFit_EvictsTheLeastRecentlyUsedAndAnswersEveryRequest()
    {
        await FirstUseAsync(A);
        await FirstUseAsync(B);
        await AnsweredAsync(A);

        await FirstUseAsync(C);

        Assert.Equal([A, C], await LoadedAsync());
        var b = Assert.Single(await Model(B).GetVersionStatus());
        Assert.Equal(0, b.InstanceCount);
        Assert.Equal(ModelReadyState.Unavailable, b.State);
        Assert.Contains("evicted", b.Reason);
    }

    [Fact]
    public async Task Infer_EvictedModel_LoadsAgainOnItsNextRequestAndCountsACacheMiss()
    {
        using var metrics = new EvictionMetrics();
        await FirstUseAsync(A);
        await FirstUseAsync(B);
        await FirstUseAsync(C);
        Assert.Equal([B, C], await LoadedAsync());

        // Through the router only: its table says A has no instance, and the model grain places it again.
        await AnsweredAsync(A);

        Assert.Equal([A, C], await LoadedAsync());
        Assert.Equal(1, metrics.CacheMisses(A));
        Assert.Equal(1, metrics.Evictions(A));
        Assert.Equal(1, metrics.Evictions(B));
        Assert.Equal(0, metrics.CacheMisses(B));
    }

    [Fact]
    public async Task Infer_StaleRouteToAnEvictedInstance_FailsOverAndLoadsItAgain()
    {
        await FirstUseAsync(A);
        await FirstUseAsync(B);
        await AnsweredAsync(A);
        await AnsweredAsync(B);

        // Evicts A behind the router's back: its cached table (refreshed twice a second) may still name A's instance.
        await Model(C).EnsureLoaded();
        Assert.Equal([B, C], await LoadedAsync());
        await AnsweredAsync(A);
        await AnsweredAsync(B);

        Assert.Equal([A, B], await LoadedAsync());
    }

    [Fact]
    public async Task Infer_ThreeModelsInTurnWhereTwoFit_AnswersEveryRequest()
    {
        await FirstUseAsync(A);
        await FirstUseAsync(B);
        await FirstUseAsync(C);

        for (var round = 0; round < 3; round++)
        {
            foreach (var name in new[] { A, B, C })
            {
                await AnsweredAsync(name);
            }
        }

        Assert.Equal([B, C], await LoadedAsync());
    }

    [Fact]
    public async Task Infer_LeastRecentlyUsedHasARequestInFlight_EvictsTheNextInstead()
    {
        var gate = new TaskCompletionSource();
        CountingRunnerFactory.Gates[A] = gate;
        try
        {
            await Model(A).EnsureLoaded();
            var held = fixture.Router.InferAsync(A, Request(), default);
            await WaitForAsync(async () => (await fixture.Device.GetInfo()).PendingRequests == 1);
            await FirstUseAsync(B);

            // A is the least recently used, but its request is running: B leaves.
            await FirstUseAsync(C);

            Assert.Equal([A, C], await LoadedAsync());
            gate.SetResult();
            AssertAnswered(A, await held.WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            gate.TrySetResult();
            CountingRunnerFactory.Gates.TryRemove(A, out _);
        }
    }

    [Fact]
    public async Task Infer_LeastRecentlyUsedIsAtItsMinInstances_EvictsTheNextInstead()
    {
        await FirstUseAsync("floor-a");
        await FirstUseAsync(B);

        await FirstUseAsync(C);

        Assert.Equal(["floor-a", C], await LoadedAsync());
    }

    [Fact]
    public async Task Infer_EveryLoadedModelAtItsMinInstances_IsRefusedWithTheReasonAndNothingLeaves()
    {
        await FirstUseAsync("floor-a");
        await FirstUseAsync("floor-b");

        var status = Assert.Single(await Model(C).EnsureLoaded());
        var result = await fixture.Router.InferAsync(C, Request(), default);

        Assert.Equal(ModelReadyState.Unavailable, status.State);
        Assert.Contains("no device has room", status.Reason);
        Assert.Contains("2 needed for their version's min_instances", status.Reason);
        Assert.Equal(InferenceErrorCode.ModelNotReady, result.Error!.Code);
        Assert.Equal(["floor-a", "floor-b"], await LoadedAsync());
    }

    [Fact]
    public async Task EnsureLoaded_SymlinkedModelLargerThanTheBudget_IsChargedItsTargetAndRefused()
    {
        await FirstUseAsync(A);

        var status = Assert.Single(await Model("linked").EnsureLoaded());

        // Charged the link's own size (a path), it would have loaded.
        Assert.Equal(ModelReadyState.Unavailable, status.State);
        Assert.Contains("no device has room", status.Reason);
        Assert.Contains($"needs {(2 * EvictionFixture.CpuBudgetBytes) >> 20} MiB", status.Reason);
        Assert.Equal([A], await LoadedAsync());
    }

    private IModelGrain Model(string name) => fixture.Client.GetGrain<IModelGrain>(name);

    private async Task FirstUseAsync(string model)
    {
        await Model(model).EnsureLoaded();
        await AnsweredAsync(model);
    }

    private async Task AnsweredAsync(string model) => AssertAnswered(model, await fixture.Router.InferAsync(model, Request(), default));

    private static void AssertAnswered(string model, InferenceResult result)
    {
        Assert.True(result.Response is not null, $"model '{model}' did not answer: {result.Error?.Code} {result.Error?.Message}");
        var factor = EvictionFixture.Models.Single(m => m.Name == model).Factor;
        Assert.Equal([1f * factor, 2f * factor], Floats.FromBytes(result.Response.Outputs[0].Data));
    }

    private async Task<string[]> LoadedAsync() =>
        (await fixture.Device.GetInstances()).Select(i => i.ModelName).Order(StringComparer.Ordinal).ToArray();

    private static InferenceRequest Request() => new(null, null, [Floats.Tensor("INPUT0", [1, 2], 1, 2)], null);

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 10 s");
            await Task.Delay(20);
        }
    }

    // The GrainServe meter's eviction counters, per model, while the test runs (the silo is in this process).
    private sealed class EvictionMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<(string Instrument, string Model), long> _counts = new();

        public EvictionMetrics()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GrainServeMetrics.MeterName && instrument.Name is "evictions" or "cache_misses")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "model" && tag.Value is string model)
                    {
                        _counts.AddOrUpdate((instrument.Name, model), value, (_, n) => n + value);
                    }
                }
            });
            _listener.Start();
        }

        public long Evictions(string model) => _counts.GetValueOrDefault(("evictions", model));

        public long CacheMisses(string model) => _counts.GetValueOrDefault(("cache_misses", model));

        public void Dispose() => _listener.Dispose();
    }
}
