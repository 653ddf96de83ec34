using GrainServe.ModelBuilder;
using GrainServe.TestSupport;

namespace GrainServe.Models;

public sealed class ModelRepositoryTests
{
    [Fact]
    public void Find_SampleModel_ReadsConfigAndVersions()
    {
        using var repo = new TempRepository().WithSamples();

        var model = repo.Reader.Find("simple")!;

        Assert.Null(model.ConfigError);
        Assert.Equal([1L], model.Versions);
        Assert.Equal(8, model.Config.MaxBatchSize);
        Assert.Equal([4, 8], model.Config.DynamicBatching!.PreferredBatchSize);
        Assert.Equal(256, model.Config.DynamicBatching.DefaultQueuePolicy!.MaxQueueSize);
    }

    [Fact]
    public void Find_UnknownOrTraversingName_ReturnsNull()
    {
        using var repo = new TempRepository().WithSamples();
        Assert.Null(repo.Reader.Find("nope"));
        Assert.Null(repo.Reader.Find(".."));
        Assert.Null(repo.Reader.Find("simple/1"));
    }

    [Theory]
    [InlineData("{ not json", "not a valid model configuration")]
    [InlineData("""{ "platform": "tensorflow_savedmodel" }""", "platform 'tensorflow_savedmodel' is not supported")]
    [InlineData("""{ "name": "other" }""", "differs from the model's folder name")]
    [InlineData("""{ "max_batch_size": -1 }""", "max_batch_size is -1")]
    [InlineData("""{ "input": [{ "name": "X", "data_type": "TYPE_COMPLEX" }] }""", "unknown data_type 'TYPE_COMPLEX'")]
    [InlineData("""{ "max_batch_size": 4, "dynamic_batching": { "preferred_batch_size": [8] } }""", "preferred_batch_size 8")]
    [InlineData("""{ "dynamic_batching": { "default_queue_policy": { "timeout_action": "DROP" } } }""", "timeout_action 'DROP'")]
    [InlineData("""{ "instance_group": [{ "count": 0 }] }""", "count 0 must be at least 1")]
    public void Find_BrokenConfig_ReportsTheReason(string config, string expected)
    {
        using var repo = new TempRepository().Model("broken", 1, SampleModels.Identity("FP32"), config);

        var model = repo.Reader.Find("broken")!;

        Assert.Contains(expected, model.ConfigError);
    }

    [Fact]
    public void Find_NoVersionFolder_ReportsTheReason()
    {
        using var repo = new TempRepository().File("empty/config.json", "{}");
        Assert.Contains("no version folder", repo.Reader.Find("empty")!.ConfigError);
    }

    [Theory]
    [InlineData("{}", new long[] { 3 })]
    [InlineData("""{ "version_policy": { "latest": { "num_versions": 2 } } }""", new long[] { 3, 2 })]
    [InlineData("""{ "version_policy": { "all": {} } }""", new long[] { 3, 2, 1 })]
    [InlineData("""{ "version_policy": { "specific": { "versions": [1, 3] } } }""", new long[] { 3, 1 })]
    public void PolicyVersions_EachPolicy_NamesItsVersionsNewestFirst(string config, long[] expected)
    {
        using var repo = new TempRepository()
            .Model("m", 1, SampleModels.Scale(2, 1), config)
            .Model("m", 2, SampleModels.Scale(2, 2))
            .Model("m", 3, SampleModels.Scale(2, 3));

        Assert.Equal(expected, repo.Reader.Find("m")!.PolicyVersions());
    }

    [Fact]
    public void ListModels_SampleRepository_ListsEveryModelFolder()
    {
        using var repo = new TempRepository().WithSamples();
        var models = repo.Reader.ListModels();
        Assert.Contains("simple", models);
        Assert.Contains("identity_bytes", models);
        Assert.Contains("tiny_llama", models);
        Assert.Contains("scale_canary", models);
        Assert.Contains(SampleRepository.TinyPiperName, models);
        Assert.Equal(6 + SampleRepository.IdentityDatatypes.Count, models.Count);
    }
}
