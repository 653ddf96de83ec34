using GrainServe.Contracts;
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

    // Outputs of OutputBuffers.MinimumBytes or more are allocated ahead: 2 rows of 4096 floats are 32 KiB an output.
    private const int Wide = 4096;

    [Fact]
    public async Task RunAsync_BatchedModel_GetsItsOutputsWrittenInPlace()
    {
        using var repo = new TempRepository().Model("add", 1, SampleModels.AddSub("FP32", Wide), """{ "max_batch_size": 8 }""");
        using var runner = (OnnxModelRunner)Factory().Create(repo.Reader.Find("add")!, 1, Cpu);
        var a = Enumerable.Range(0, 2 * Wide).Select(i => (float)i).ToArray();
        var b = Enumerable.Range(0, 2 * Wide).Select(i => 0.5f * i).ToArray();
        InferTensor[] inputs = [Floats.Tensor("INPUT0", [2, Wide], a), Floats.Tensor("INPUT1", [2, Wide], b)];

        Assert.True(runner.WouldPreallocate(["OUTPUT1", "OUTPUT0"], inputs));
        var outputs = await runner.RunAsync(inputs, ["OUTPUT1", "OUTPUT0"], CancellationToken.None);

        Assert.True(runner.PreallocatesOutputs);
        Assert.Equal([2L, Wide], outputs[0].Shape);
        Assert.Equal(a.Zip(b, (x, y) => x - y), Floats.FromBytes(outputs[0].Data));
        Assert.Equal(a.Zip(b, (x, y) => x + y), Floats.FromBytes(outputs[1].Data));
    }

    [Fact]
    public void RunAsync_SmallOutputs_AreCopiedOutAsUsual()
    {
        // 16 bytes an output: binding a buffer would cost more than the copy it saves.
        using var repo = new TempRepository().Model("add", 1, SampleModels.AddSub("FP32", 4), """{ "max_batch_size": 8 }""");
        using var runner = (OnnxModelRunner)Factory().Create(repo.Reader.Find("add")!, 1, Cpu);

        Assert.False(runner.WouldPreallocate(["OUTPUT0"], [Floats.Tensor("INPUT0", [1, 4], 1, 2, 3, 4), Floats.Tensor("INPUT1", [1, 4], 1, 2, 3, 4)]));
    }

    [Fact]
    public async Task RunAsync_OutputNotTheShapeItDeclares_IsAnsweredAndStopsPreallocation()
    {
        // Declared [batch, width] as Triton's batching contract says, but the graph stacks its input twice: [2·batch, width].
        var model = new OnnxGraphBuilder("twice")
            .Input("INPUT0", "FP32", -1, Wide)
            .Output("OUTPUT0", "FP32", -1, Wide)
            .Node("Concat", ["INPUT0", "INPUT0"], ["OUTPUT0"], OnnxGraphBuilder.IntAttribute("axis", 0))
            .ToBytes();
        using var repo = new TempRepository().Model("twice", 1, model, """{ "max_batch_size": 8 }""");
        using var runner = (OnnxModelRunner)Factory().Create(repo.Reader.Find("twice")!, 1, Cpu);
        var first = Enumerable.Range(0, 2 * Wide).Select(i => (float)i).ToArray();
        var second = Enumerable.Range(0, 2 * Wide).Select(i => -(float)i).ToArray();

        var one = await runner.RunAsync([Floats.Tensor("INPUT0", [2, Wide], first)], ["OUTPUT0"], CancellationToken.None);
        var two = await runner.RunAsync([Floats.Tensor("INPUT0", [2, Wide], second)], ["OUTPUT0"], CancellationToken.None);

        Assert.Equal([4L, Wide], one[0].Shape);
        Assert.Equal(first.Concat(first), Floats.FromBytes(one[0].Data));
        Assert.Equal(second.Concat(second), Floats.FromBytes(two[0].Data));
        Assert.False(runner.PreallocatesOutputs);
    }

    [Fact]
    public async Task RunAsync_UnbatchedModelWithUnsharedSymbols_RunsTheOrdinaryWay()
    {
        // max_batch_size 0 and an output whose dimensions no input names: nothing to size it by before the run.
        using var repo = new TempRepository().Model("id", 1, SampleModels.Identity("FP32"), """{ "max_batch_size": 0 }""");
        using var runner = (OnnxModelRunner)Factory().Create(repo.Reader.Find("id")!, 1, Cpu);
        var values = Enumerable.Range(0, Wide).Select(i => (float)i).ToArray();

        var outputs = await runner.RunAsync([Floats.Tensor("INPUT0", [8, Wide / 8], values)], ["OUTPUT0"], CancellationToken.None);

        Assert.Equal(values, Floats.FromBytes(outputs[0].Data));
        Assert.False(runner.WouldPreallocate(["OUTPUT0"], [Floats.Tensor("INPUT0", [8, Wide / 8], values)]));
    }

    [Fact]
    public void RunAsync_SharedSymbols_SizeTheOutputs()
    {
        // Hugging Face style: the output names the inputs' symbols, so its shape is known before the run.
        var model = new OnnxGraphBuilder("shared")
            .Input("INPUT0", "FP32", new OnnxDim(0, "batch"), new OnnxDim(0, "width"))
            .Output("OUTPUT0", "FP32", new OnnxDim(0, "batch"), new OnnxDim(0, "width"))
            .Node("Identity", ["INPUT0"], ["OUTPUT0"])
            .ToBytes();
        using var repo = new TempRepository().Model("shared", 1, model, """{ "max_batch_size": 0 }""");
        using var runner = (OnnxModelRunner)Factory().Create(repo.Reader.Find("shared")!, 1, Cpu);

        Assert.True(runner.WouldPreallocate(["OUTPUT0"], [Floats.Tensor("INPUT0", [2, Wide], new float[2 * Wide])]));
    }
}
