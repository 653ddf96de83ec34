using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gpu;
using GrainServe.TestSupport;

namespace GrainServe.Models;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ModelLifecycleTests(ClusterFixture fixture)
{
    private IModelGrain Model(string name) => fixture.Client.GetGrain<IModelGrain>(name);

    private static InferenceRequest Request(params float[] values) => new(null, null, [Floats.Tensor("INPUT0", [1, 2], values)], null);

    private async Task<long> UsedBytesFor(string model)
    {
        long used = 0;
        foreach (var device in await fixture.Client.GetGrain<IDeviceDirectoryGrain>(0).GetDevices())
        {
            var grain = fixture.Client.GetGrain<IGpuGrain>(device.Key);
            used += (await grain.GetInstances()).Where(i => i.ModelName == model).Sum(i => i.MemoryBytes);
        }

        return used;
    }

    [Fact]
    public async Task UnloadThenInferThenLoad_FreesMemoryAnswersNotReadyThenServesAgain()
    {
        await Model("lifecycle").EnsureLoaded();
        Assert.True(await UsedBytesFor("lifecycle") > 0);

        await Model("lifecycle").Unload();
        var whileUnloaded = await fixture.Router.InferAsync("lifecycle", Request(1, 2));
        var metadata = await Model("lifecycle").GetMetadata(null);
        var usedAfterUnload = await UsedBytesFor("lifecycle");
        var statuses = await Model("lifecycle").Load(null);
        var afterLoad = await fixture.Router.InferAsync("lifecycle", Request(1, 2));

        Assert.Equal(0, usedAfterUnload);
        Assert.Equal(InferenceErrorCode.ModelNotReady, whileUnloaded.Error!.Code);
        Assert.Contains("unloaded", whileUnloaded.Error.Message);
        Assert.Equal(ModelReadyState.Unavailable, metadata.State);
        Assert.Equal(ModelReadyState.Ready, Assert.Single(statuses).State);
        Assert.Equal([3f, 6f], Floats.FromBytes(afterLoad.Response!.Outputs[0].Data));
    }

    [Fact]
    public async Task Load_WithConfigOverride_UsesItInsteadOfConfigJson()
    {
        await Model("lifecycle").Load("""{ "max_batch_size": 2 }""");
        var config = await Model("lifecycle").GetConfig(null);
        var tooBig = await fixture.Router.InferAsync("lifecycle", new InferenceRequest(null, null, [Floats.Tensor("INPUT0", [3, 2], 1, 2, 3, 4, 5, 6)], null));
        await Model("lifecycle").Load(null);

        Assert.Equal(2, config.MaxBatchSize);
        Assert.Equal(InferenceErrorCode.InvalidInput, tooBig.Error!.Code);
        Assert.Equal(8, (await Model("lifecycle").GetConfig(null)).MaxBatchSize);
    }

    [Fact]
    public async Task LoadsAndUnloadsAtOnce_LeaveNoInstanceTheModelDoesNotList()
    {
        // What the gateway's fuzz tests send (loads with and without a config, unloads) at once: the grain is reentrant,
        // and a load that cleared the versions while another's placement was under way lost track of what that placed,
        // which stayed loaded on its device for good.
        var model = Model("lifecycle");
        for (var round = 0; round < 5; round++)
        {
            await Task.WhenAll(
                model.Load("""{ "max_batch_size": 2 }"""),
                model.Load(null),
                model.Unload(),
                model.Load("""{ "max_batch_size": 4 }"""),
                model.Load(null));
        }

        var listed = (await model.GetInstances(null)).Length;
        var held = 0;
        foreach (var device in await fixture.Client.GetGrain<IDeviceDirectoryGrain>(0).GetDevices())
        {
            held += (await fixture.Client.GetGrain<IGpuGrain>(device.Key).GetInstances()).Count(i => i.ModelName == "lifecycle");
        }

        Assert.Equal(listed, held);
        Assert.Equal(ModelReadyState.Ready, Assert.Single(await model.GetVersionStatus()).State);
    }

    [Fact]
    public async Task Load_ConfigNotJson_IsInvalidInput()
    {
        var error = await Assert.ThrowsAsync<InferenceException>(() => Model("lifecycle").Load("{ nope"));
        Assert.Equal(InferenceErrorCode.InvalidInput, error.Code);
    }

    [Fact]
    public async Task GetConfig_ModelWithoutConfigFile_ReturnsTheCompletedConfig()
    {
        var config = await Model("identity_int8").GetConfig(null);

        Assert.Equal("identity_int8", config.Name);
        Assert.Equal(4, config.MaxBatchSize);
        Assert.Equal("TYPE_INT8", Assert.Single(config.Input).DataType);
    }

    [Fact]
    public async Task GetStatistics_AfterRequests_CountsSuccessFailureAndBatches()
    {
        await Model("stats").EnsureLoaded();
        var before = Assert.Single(await Model("stats").GetStatistics(null));

        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => fixture.Router.InferAsync("stats", Request(i, i))));
        var invalid = await fixture.Router.InferAsync("stats", new InferenceRequest(null, null, [Floats.Tensor("INPUT0", [1, 3], 1, 2, 3)], null));
        var after = Assert.Single(await Model("stats").GetStatistics("1"));

        Assert.Equal(InferenceErrorCode.InvalidInput, invalid.Error!.Code);
        Assert.Equal(before.Success.Count + 5, after.Success.Count);
        Assert.Equal(before.InferenceCount + 5, after.InferenceCount);
        Assert.Equal(before.Fail.Count + 1, after.Fail.Count);
        Assert.True(after.ExecutionCount > before.ExecutionCount);
        Assert.True(after.ComputeInfer.Ns > before.ComputeInfer.Ns);
        Assert.True(after.Success.Ns >= after.ComputeInfer.Ns);
        Assert.True(after.LastInference > 0);
        Assert.Equal(after.ExecutionCount, (ulong)after.BatchStats.Sum(b => (long)b.ComputeInfer.Count));
    }

    [Fact]
    public async Task GetStatistics_UnknownVersion_ThrowsModelNotFound()
    {
        var error = await Assert.ThrowsAsync<InferenceException>(() => Model("stats").GetStatistics("42"));
        Assert.Equal(InferenceErrorCode.ModelNotFound, error.Code);
    }
}
