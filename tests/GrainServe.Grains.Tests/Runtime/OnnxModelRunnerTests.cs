using GrainServe.Gpu;
using GrainServe.ModelBuilder;
using GrainServe.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GrainServe.Runtime;

public sealed class OnnxModelRunnerTests
{
    private static readonly LocalDevice Cpu = new("cpu0", DeviceKind.Cpu, 0, "cpu0", "CPU-test-0", 1L << 30, 1L << 30);
    private static readonly LocalDevice Gpu = new("gpu0", DeviceKind.Gpu, 0, "test gpu", "GPU-test", 1L << 30, 1L << 30);

    private static OnnxModelRunnerFactory Factory() => new(Options.Create(new RuntimeOptions { IntraOpNumThreads = 1 }), NullLogger<OnnxSessionFactory>.Instance);

    [Fact]
    public async Task RunAsync_AddSub_ComputesSumAndDifference()
    {
        using var repo = new TempRepository().WithSamples();
        using var runner = Factory().Create(repo.Reader.Find("add_sub")!, 1, Cpu);

        var outputs = await runner.RunAsync(
            [Floats.Tensor("INPUT0", [1, 4], 1, 2, 3, 4), Floats.Tensor("INPUT1", [1, 4], 10, 20, 30, 40)],
            ["OUTPUT0", "OUTPUT1"],
            CancellationToken.None);

        Assert.Equal([11f, 22f, 33f, 44f], Floats.FromBytes(outputs[0].Data));
        Assert.Equal([-9f, -18f, -27f, -36f], Floats.FromBytes(outputs[1].Data));
    }

    [Fact]
    public void Create_NoConfig_CompletesConfigFromTheModel()
    {
        using var repo = new TempRepository().Model("id", 1, SampleModels.Identity("INT8"));
        using var runner = Factory().Create(repo.Reader.Find("id")!, 1, Cpu);

        var config = runner.Config;
        Assert.Equal(ModelConfigCompleter.DefaultMaxBatchSize, config.MaxBatchSize);
        Assert.NotNull(config.DynamicBatching);
        Assert.Equal("TYPE_INT8", Assert.Single(config.Input).DataType);
        Assert.Equal([-1L], config.Input[0].Dims);
        Assert.Equal("OUTPUT0", Assert.Single(config.Output).Name);
        Assert.Equal("onnxruntime_onnx", config.Platform);
    }

    [Theory]
    [InlineData("""{ "max_batch_size": 4, "input": [{ "name": "INPUT0", "data_type": "TYPE_FP64", "dims": [-1] }] }""", "the model has TYPE_FP32")]
    [InlineData("""{ "max_batch_size": 4, "input": [{ "name": "WRONG", "data_type": "TYPE_FP32", "dims": [-1] }] }""", "config input 'WRONG' is not in the model")]
    [InlineData("""{ "max_batch_size": 4, "input": [{ "name": "INPUT0", "data_type": "TYPE_FP32", "dims": [3, 3] }] }""", "do not match the model's [-1]")]
    public void Create_ConfigContradictsModel_FailsWithReason(string config, string expected)
    {
        using var repo = new TempRepository().Model("id", 1, SampleModels.Identity("FP32"), config);

        var error = Assert.Throws<ModelLoadException>(() => Factory().Create(repo.Reader.Find("id")!, 1, Cpu));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Create_UnreadableModelFile_FailsWithReason()
    {
        using var repo = new TempRepository().Model("junk", 1, "this is not an onnx model"u8.ToArray());
        var error = Assert.Throws<ModelLoadException>(() => Factory().Create(repo.Reader.Find("junk")!, 1, Cpu));
        Assert.Contains("ONNX Runtime cannot load", error.Message);
    }

    [Fact]
    public async Task Create_GpuDeviceWithoutCudaProvider_FallsBackToCpuAndServes()
    {
        // The default build carries the CPU runtime only: a GPU device must still load and answer.
        using var repo = new TempRepository().WithSamples();
        using var runner = Factory().Create(repo.Reader.Find("identity_fp32")!, 1, Gpu);

        var outputs = await runner.RunAsync([Floats.Tensor("INPUT0", [1, 2], 5, 6)], ["OUTPUT0"], CancellationToken.None);

        Assert.Equal([5f, 6f], Floats.FromBytes(outputs[0].Data));
    }
}
