using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gpu;
using GrainServe.TestSupport;

namespace GrainServe.Models;

/// <summary>
/// Autoscaling on the two-silo cluster, with the fixture's short delays (upscale 0.5 s, downscale 1 s, scale to zero
/// 1 s). Load is made by holding a model's batches on the device (its gate) while requests pile up at the router, so
/// the requests in flight the gateway reports are exactly those sent.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class AutoscalingClusterTests(ClusterFixture fixture)
{
    private IModelGrain Model(string name) => fixture.Client.GetGrain<IModelGrain>(name);

    private static InferenceRequest Request(int i) => new($"req-{i}", null, [Floats.Tensor("INPUT0", [1, 2], i, 1)], null);

    private async Task<int> ReadyInstances(string model) => (await Model(model).GetInstances(null)).Count(i => i.State == ModelReadyState.Ready);

    // Instances on the devices themselves, whatever the model grain routes to: zero only once memory is freed.
    private async Task<int> LoadedInstances(string model)
    {
        var count = 0;
        foreach (var device in await fixture.Client.GetGrain<IDeviceDirectoryGrain>(0).GetDevices())
        {
            count += (await fixture.Client.GetGrain<IGpuGrain>(device.Key).GetInstances()).Count(i => i.ModelName == model);
        }

        return count;
    }

    private static int Loads(string model) => CountingRunnerFactory.LoadsByModel.GetValueOrDefault(model);

    [Fact]
    public async Task Autoscaling_SustainedConcurrentLoad_ScalesUpToMaxInstancesOnBothDevices()
    {
        Assert.Single(await Model("autoscale_up").EnsureLoaded(), s => s.InstanceCount == 1);

        var results = await UnderHeldLoadAsync("autoscale_up", requests: 12, async () =>
        {
            // 12 in flight over target 2 wants 6; max_instances caps it at 3.
            await WaitForAsync(async () => await ReadyInstances("autoscale_up") == 3);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal(3, await ReadyInstances("autoscale_up"));
        });

        Assert.All(results, r => Assert.NotNull(r.Response));
        var instances = await Model("autoscale_up").GetInstances(null);
        Assert.Equal(2, instances.Select(i => i.DeviceKey).Distinct().Count());
        Assert.All(instances, i => Assert.True(i.MemoryBytes > 0));
    }

    [Fact]
    public async Task Autoscaling_LoadStops_ScalesDownToMinInstancesAndNoFurther()
    {
        await Model("autoscale_down").EnsureLoaded();
        await UnderHeldLoadAsync("autoscale_down", requests: 6, () => WaitForAsync(async () => await ReadyInstances("autoscale_down") == 3));

        // Idle: down to min_instances 1 after downscale_delay_s, and the retired instances' memory is freed.
        await WaitForAsync(async () => await ReadyInstances("autoscale_down") == 1 && await LoadedInstances("autoscale_down") == 1);
        // Longer than scale_to_zero_delay_s: min_instances 1 keeps the last one.
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Equal(1, await ReadyInstances("autoscale_down"));
        Assert.NotNull((await fixture.Router.InferAsync("autoscale_down", Request(1), default)).Response);
    }

    [Fact]
    public async Task Autoscaling_MinInstancesTwo_LoadsTwoAndKeepsThemWhenIdle()
    {
        Assert.Single(await Model("autoscale_min").EnsureLoaded(), s => s.InstanceCount == 2);
        Assert.NotNull((await fixture.Router.InferAsync("autoscale_min", Request(1), default)).Response);

        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(2, await ReadyInstances("autoscale_min"));
        Assert.Equal(2, await LoadedInstances("autoscale_min"));
    }

    [Fact]
    public async Task Autoscaling_MinInstancesZero_UnloadsWhenIdleStaysReadyAndColdStartsTheNextRequest()
    {
        using var coldStarts = new ColdStartListener("autoscale_zero");
        await Model("autoscale_zero").EnsureLoaded();
        Assert.NotNull((await fixture.Router.InferAsync("autoscale_zero", Request(0), default)).Response);

        await WaitForAsync(async () => await LoadedInstances("autoscale_zero") == 0);
        var table = (await Model("autoscale_zero").GetRoutingTable(0, null))!;
        var metadata = await Model("autoscale_zero").GetMetadata(null);
        var loadsAtZero = Loads("autoscale_zero");

        var result = await fixture.Router.InferAsync("autoscale_zero", Request(7), default);

        var version = Assert.Single(table.Versions);
        Assert.Equal((ModelReadyState.Ready, true, 0), (version.State, version.ScalesFromZero, version.Instances.Length));
        Assert.Equal(ModelReadyState.Ready, metadata.State);
        Assert.Equal("req-7", result.Response!.Id);
        Assert.Equal([7f, 1f], Floats.FromBytes(result.Response.Outputs[0].Data));
        Assert.Equal(loadsAtZero + 1, Loads("autoscale_zero"));
        Assert.Equal(1, await ReadyInstances("autoscale_zero"));
        Assert.Equal(["loaded"], coldStarts.Outcomes);
    }

    [Fact]
    public async Task Autoscaling_ConcurrentRequestsDuringColdStart_AreAllAnsweredByOneLoad()
    {
        using var coldStarts = new ColdStartListener("autoscale_herd");
        await Model("autoscale_herd").EnsureLoaded();
        await WaitForAsync(async () => await LoadedInstances("autoscale_herd") == 0);
        var loadsAtZero = Loads("autoscale_herd");
        var load = new TaskCompletionSource();
        CountingRunnerFactory.LoadGates["autoscale_herd"] = load;
        List<Task<InferenceResult>> requests;
        try
        {
            requests = Enumerable.Range(0, 8).Select(i => fixture.Router.InferAsync("autoscale_herd", Request(i), default)).ToList();
            // Every request reaches the model grain while the one load is held.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.All(requests, r => Assert.False(r.IsCompleted));
        }
        finally
        {
            load.SetResult();
            CountingRunnerFactory.LoadGates.TryRemove("autoscale_herd", out _);
        }

        var results = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"req-{i}"), results.Select(r => r.Response!.Id));
        Assert.Equal(loadsAtZero + 1, Loads("autoscale_herd"));
        Assert.Equal(["loaded"], coldStarts.Outcomes);
    }

    [Fact]
    public async Task Autoscaling_ColdStartPastItsTimeout_AnswersRetryableNotReadyThenServesOnceLoaded()
    {
        await Model("autoscale_slow").EnsureLoaded();
        await WaitForAsync(async () => await LoadedInstances("autoscale_slow") == 0);
        var load = new TaskCompletionSource();
        CountingRunnerFactory.LoadGates["autoscale_slow"] = load;
        InferenceResult timedOut;
        try
        {
            // cold_start_timeout_s is 1.
            timedOut = await fixture.Router.InferAsync("autoscale_slow", Request(1), default).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            load.SetResult();
            CountingRunnerFactory.LoadGates.TryRemove("autoscale_slow", out _);
        }

        await WaitForAsync(async () => await ReadyInstances("autoscale_slow") == 1);
        var after = await fixture.Router.InferAsync("autoscale_slow", Request(2), default);

        Assert.Equal(InferenceErrorCode.ModelNotReady, timedOut.Error!.Code);
        Assert.Contains("cold_start_timeout_s (1 s)", timedOut.Error.Message);
        Assert.Equal("req-2", after.Response!.Id);
    }

    // Sends requests while the model's batches are held, runs the check while they are in flight, then lets them finish.
    private async Task<InferenceResult[]> UnderHeldLoadAsync(string model, int requests, Func<Task> whileHeld)
    {
        var gate = new TaskCompletionSource();
        CountingRunnerFactory.Gates[model] = gate;
        var sent = new List<Task<InferenceResult>>();
        try
        {
            sent.AddRange(Enumerable.Range(0, requests).Select(i => fixture.Router.InferAsync(model, Request(i), default)));
            await whileHeld();
        }
        finally
        {
            gate.TrySetResult();
            CountingRunnerFactory.Gates.TryRemove(model, out _);
        }

        return await Task.WhenAll(sent).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(8);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 8 s");
            await Task.Delay(50);
        }
    }

    // The cold starts the GrainServe meter counts for one model, by outcome.
    private sealed class ColdStartListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<string> _outcomes = new();

        public ColdStartListener(string model)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GrainServeMetrics.MeterName && instrument.Name == "cold_starts")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? name = null, outcome = null;
                foreach (var tag in tags)
                {
                    name = tag.Key == "model" ? tag.Value as string : name;
                    outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
                }

                if (name == model && outcome is not null)
                {
                    _outcomes.Enqueue(outcome);
                }
            });
            _listener.Start();
        }

        public string[] Outcomes => [.. _outcomes];

        public void Dispose() => _listener.Dispose();
    }
}
