using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Models;
using GrainServe.Routing;
using GrainServe.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace GrainServe.Gpu;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ClusterTests(ClusterFixture fixture)
{
    private IModelGrain Model(string name) => fixture.Client.GetGrain<IModelGrain>(name);

    private IReadOnlyList<string> SiloNames() =>
        fixture.Cluster.Silos.Select(s => fixture.Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<LocalDeviceCatalog>().SiloName).ToList();

    [Fact]
    public async Task GpuGrain_EachSilosDevice_ActivatesOnItsOwnSilo()
    {
        var names = SiloNames();
        Assert.Equal(2, names.Distinct().Count());
        foreach (var name in names)
        {
            // Activation checks that the silo it runs on owns the device, so answering proves the pinning.
            var info = await fixture.Client.GetGrain<IGpuGrain>($"{name}/cpu0").GetInfo();
            Assert.Equal($"CPU-{name}-0", info.Uuid);
        }

        var devices = await fixture.Client.GetGrain<IDeviceDirectoryGrain>(0).GetDevices();
        Assert.Equal(names.Order().Select(n => $"{n}/cpu0"), devices.Select(d => d.Key).Order());
    }

    [Fact]
    public async Task GpuGrain_KeyOfSiloNotInCluster_FailsToActivate()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => fixture.Client.GetGrain<IGpuGrain>("ghost-node/cpu0").GetInfo());
    }

    [Fact]
    public async Task Infer_ThroughTheRouter_NeverCallsTheModelGrain()
    {
        // The first request fetches the routing table; after that requests go straight to the GPU grains.
        Assert.NotNull((await fixture.Router.InferAsync("spread", AddSubRequest(0))).Response);
        var before = ModelGrainCalls.Of("spread");
        Assert.True(before.GetValueOrDefault(nameof(IModelGrain.GetRoutingTable)) > 0, "the filter counts model grain calls");
        var started = DateTime.UtcNow;

        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => fixture.Router.InferAsync("spread", AddSubRequest(i))));

        var elapsed = DateTime.UtcNow - started;
        var calls = ModelGrainCalls.Of("spread").Select(c => (c.Key, Count: c.Value - before.GetValueOrDefault(c.Key))).Where(c => c.Count > 0).ToList();
        Assert.All(results, r => Assert.NotNull(r.Response));

        // Only the router's refresh, twice a second (plus one for a tick in flight), whatever the number of requests.
        var refreshes = calls.Where(c => c.Key == nameof(IModelGrain.GetRoutingTable)).Sum(c => c.Count);
        Assert.InRange(refreshes, 0, (int)(elapsed.TotalSeconds / 0.5) + 2);
        Assert.DoesNotContain(calls, c => c.Key != nameof(IModelGrain.GetRoutingTable));
    }

    [Fact]
    public async Task Infer_RouterInADeviceSilo_RunsItsOwnDevicesInstanceWithoutTheGrainCallAndTheOtherThroughIt()
    {
        Assert.Equal(2, Assert.Single(await Model("spread").EnsureLoaded()).InstanceCount);
        var silo = fixture.Cluster.Silos[0];
        var services = fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress);
        var own = $"{services.GetRequiredService<LocalDeviceCatalog>().SiloName}/cpu0";
        var other = Assert.Single(SiloNames().Select(n => $"{n}/cpu0"), d => d != own);
        var router = new ModelRouter(services.GetRequiredService<IGrainFactory>(), TimeProvider.System, services.GetRequiredService<LocalInstances>());
        int Runs(string device) => CountingRunnerFactory.RunsByDevice.GetValueOrDefault($"CPU-{device.Split('/')[0]}-0:spread");
        var (ownCalls, otherCalls, ownRuns, otherRuns) = (GpuGrainCalls.InfersOf(own), GpuGrainCalls.InfersOf(other), Runs(own), Runs(other));

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => router.InferAsync("spread", AddSubRequest(i))));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(Expected(i, +1), Floats.FromBytes(results[i].Response!.Outputs[0].Data));
        }

        // Both devices ran requests; only the other silo's was called through its grain (the collection's tests run
        // one at a time, so no other caller reaches the devices meanwhile).
        Assert.True(Runs(own) > ownRuns, "the router's own device ran requests");
        Assert.True(Runs(other) > otherRuns, "the other device ran requests");
        Assert.True(GpuGrainCalls.InfersOf(other) > otherCalls, "the other device was called through its grain");
        Assert.Equal(ownCalls, GpuGrainCalls.InfersOf(own));
    }

    [Fact]
    public async Task Infer_ModelWithTwoInstances_PlacesOneOnEachSiloAndBothServe()
    {
        var statuses = await Model("spread").EnsureLoaded();
        Assert.Equal(2, Assert.Single(statuses).InstanceCount);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => fixture.Router.InferAsync("spread", AddSubRequest(i))));

        for (var i = 0; i < results.Length; i++)
        {
            var outputs = results[i].Response!.Outputs;
            Assert.Equal(Expected(i, +1), Floats.FromBytes(outputs[0].Data));
            Assert.Equal(Expected(i, -1), Floats.FromBytes(outputs[1].Data));
            Assert.Equal($"req-{i}", results[i].Response!.Id);
        }

        var perDevice = CountingRunnerFactory.RunsByDevice.Where(kv => kv.Key.EndsWith(":spread", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, perDevice.Count);
        Assert.All(perDevice, kv => Assert.True(kv.Value > 0));
    }

    [Fact]
    public async Task Infer_SpecificVersion_GoesToThatVersionAndDefaultIsLatest()
    {
        var request = (string? version) => new InferenceRequest(null, version, [Floats.Tensor("INPUT0", [1, 2], 3, 4)], null);

        var v1 = await fixture.Router.InferAsync("scale", request("1"));
        var latest = await fixture.Router.InferAsync("scale", request(null));
        var missing = await fixture.Router.InferAsync("scale", request("9"));

        Assert.Equal([3f, 4f], Floats.FromBytes(v1.Response!.Outputs[0].Data));
        Assert.Equal("2", latest.Response!.ModelVersion);
        Assert.Equal([6f, 8f], Floats.FromBytes(latest.Response.Outputs[0].Data));
        Assert.Equal(InferenceErrorCode.ModelNotFound, missing.Error!.Code);
    }

    [Fact]
    public async Task EnsureLoaded_ModelLargerThanEveryBudget_IsRefusedWithReason()
    {
        var status = Assert.Single(await Model("big").EnsureLoaded());
        var result = await fixture.Router.InferAsync("big", new InferenceRequest(null, null, [Floats.Tensor("INPUT0", [1, 50_000], new float[50_000])], null));

        Assert.Equal(ModelReadyState.Unavailable, status.State);
        Assert.Contains("no device has room", status.Reason);
        Assert.Contains("needs", status.Reason);
        Assert.Equal(InferenceErrorCode.ModelNotReady, result.Error!.Code);

        // What no device had room for is the cluster's unmet demand: the node autoscaling gauge wants another silo.
        var demand = await fixture.Client.GetGrain<IDeviceDirectoryGrain>(0).GetDemand();
        Assert.True(demand.UnplacedBytes > 2 * ClusterFixture.CpuBudgetBytes, $"unplaced {demand.UnplacedBytes} bytes");
        Assert.True(demand.DesiredDeviceSilos > demand.DeviceSilos, $"wants {demand.DesiredDeviceSilos} of {demand.DeviceSilos}");
    }

    [Theory]
    [InlineData("broken", "platform 'pytorch_libtorch' is not supported")]
    [InlineData("junk", "ONNX Runtime cannot load")]
    public async Task GetMetadata_BrokenModel_IsUnavailableWithReasonAndOthersStillServe(string name, string reason)
    {
        var metadata = await Model(name).GetMetadata(null);
        var other = await fixture.Router.InferAsync("simple", new InferenceRequest(null, null,
            [new InferTensor("INPUT0", "INT32", [1, 16], new byte[64]), new InferTensor("INPUT1", "INT32", [1, 16], new byte[64])], null));

        Assert.Equal(ModelReadyState.Unavailable, metadata.State);
        Assert.Contains(reason, metadata.Reason);
        Assert.NotNull(other.Response);
    }

    [Fact]
    public async Task GetMetadata_UnknownModel_ThrowsModelNotFound()
    {
        var error = await Assert.ThrowsAsync<InferenceException>(() => Model("no-such-model").GetMetadata(null));
        Assert.Equal(InferenceErrorCode.ModelNotFound, error.Code);
    }

    [Fact]
    public async Task Infer_CallerCancelsWhileQueued_RequestLeavesTheQueueAcrossBothGrainHops()
    {
        // One instance, no dynamic batching: the first request is held on the device, the second waits behind it.
        var gate = new TaskCompletionSource();
        CountingRunnerFactory.Gates["gated"] = gate;
        try
        {
            await Model("gated").EnsureLoaded();
            int Runs() => CountingRunnerFactory.RunsByDevice.Where(r => r.Key.EndsWith(":gated", StringComparison.Ordinal)).Sum(r => r.Value);
            var before = Runs();
            InferenceRequest Request(string id) => new(id, null, [Floats.Tensor("INPUT0", [1, 2], 1, 2)], null);

            var held = fixture.Router.InferAsync("gated", Request("held"));
            await WaitForAsync(() => Runs() == before + 1);
            using var caller = new CancellationTokenSource();
            var abandoned = fixture.Router.InferAsync("gated", Request("abandoned"), cancellationToken: caller.Token);
            await WaitForAsync(async () => (await fixture.Client.GetGrain<IDeviceDirectoryGrain>(0).GetDevices()).Sum(d => d.PendingRequests) == 2);
            await caller.CancelAsync();

            // The caller sees the call cancelled (or, if the answer won the race, the queue's Cancelled error).
            var outcome = await Record.ExceptionAsync(async () => Assert.Equal(InferenceErrorCode.Cancelled, (await abandoned.WaitAsync(TimeSpan.FromSeconds(10))).Error?.Code));
            Assert.True(outcome is null or OperationCanceledException, $"unexpected outcome: {outcome}");
            await WaitForAsync(async () => (await fixture.Client.GetGrain<IDeviceDirectoryGrain>(0).GetDevices()).Sum(d => d.PendingRequests) == 1);

            gate.SetResult();
            Assert.Equal("held", (await held.WaitAsync(TimeSpan.FromSeconds(10))).Response!.Id);
            Assert.Equal("after", (await fixture.Router.InferAsync("gated", Request("after"))).Response!.Id);
            Assert.Equal(before + 2, Runs());
        }
        finally
        {
            gate.TrySetResult();
            CountingRunnerFactory.Gates.TryRemove("gated", out _);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition) => await WaitForAsync(() => Task.FromResult(condition()));

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 10 s");
            await Task.Delay(20);
        }
    }

    private static InferenceRequest AddSubRequest(int i) => new(
        $"req-{i}",
        null,
        [Floats.Tensor("INPUT0", [1, 4], i, i + 1, i + 2, i + 3), Floats.Tensor("INPUT1", [1, 4], 1000, 2000, 3000, 4000)],
        null);

    private static float[] Expected(int i, int sign) => [i + sign * 1000f, i + 1 + sign * 2000f, i + 2 + sign * 3000f, i + 3 + sign * 4000f];
}
