using GrainServe.Models;
using GrainServe.TestSupport;

namespace GrainServe.Gpu;

/// <summary><c>model_warmup</c> on the two-silo cluster: samples run before an instance is ready, and a failing one fails the load.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ModelWarmupClusterTests(ClusterFixture fixture)
{
    private IModelGrain Model(string name) => fixture.Client.GetGrain<IModelGrain>(name);

    private static int Runs(string model) =>
        CountingRunnerFactory.RunsByDevice.Where(r => r.Key.EndsWith($":{model}", StringComparison.Ordinal)).Sum(r => r.Value);

    [Fact]
    public async Task EnsureLoaded_WithTwoSamples_RunsEachItsCountBeforeTheVersionIsReady()
    {
        var status = Assert.Single(await Model("warmup_ok").EnsureLoaded());

        // "zeros" three times at batch 2, "from a file" once: four runs of seven rows, and no client request yet.
        Assert.Equal(ModelReadyState.Ready, status.State);
        Assert.Equal(4, Runs("warmup_ok"));
        var statistics = Assert.Single(await Model("warmup_ok").GetStatistics(null));
        Assert.Equal(4UL, statistics.ExecutionCount);
        Assert.Equal(7UL, statistics.InferenceCount);
    }

    [Theory]
    [InlineData("warmup_shape", "model_warmup 'wrong shape' failed, so the instance is not used")]
    [InlineData("warmup_file", "model_warmup 'no file'")]
    public async Task EnsureLoaded_SampleThatCannotRun_LeavesTheVersionUnavailableWithTheSamplesName(string name, string reason)
    {
        var status = Assert.Single(await Model(name).EnsureLoaded());

        Assert.Equal(ModelReadyState.Unavailable, status.State);
        Assert.Contains(reason, status.Reason);
        Assert.Equal(0, Runs(name));
    }
}
