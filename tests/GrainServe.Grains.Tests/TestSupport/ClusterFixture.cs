using GrainServe.Gpu;
using GrainServe.ModelBuilder;
using GrainServe.Models;
using GrainServe.Routing;
using GrainServe.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace GrainServe.TestSupport;

/// <summary>
/// Two silos in one process, each with one CPU device, serving a temporary repository: the sample models
/// (tiny_llama among them) plus test models for spreading, versions, memory refusal, broken configuration and autoscaling.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>
    /// Each CPU device's budget: room for one tiny_llama instance (its file plus its 64 MiB KV pool) beside the small
    /// models; the "big" model's file is larger.
    /// </summary>
    public const long CpuBudgetBytes = 96L << 20;

    private readonly TempRepository _repository = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>Routes requests as a gateway does: straight to the GPU grains, by the model grains' routing tables.</summary>
    public ModelRouter Router { get; private set; } = null!;

    /// <summary>The repository's folder.</summary>
    public string RepositoryRoot => _repository.Root;

    public async Task InitializeAsync()
    {
        _repository.WithSamples()
            .Model("spread", 1, SampleModels.AddSub("FP32", 4), """{ "max_batch_size": 8, "instance_group": [{ "count": 2 }] }""")
            .Model("scale", 1, SampleModels.Scale(2, 1), """{ "max_batch_size": 8, "version_policy": { "all": {} } }""")
            .Model("scale", 2, SampleModels.Scale(2, 2))
            .Model("big", 1, BigModel())
            .Model("broken", 1, SampleModels.Identity("FP32"), """{ "platform": "pytorch_libtorch" }""")
            .Model("junk", 1, "not a model"u8.ToArray())
            .Model("lifecycle", 1, SampleModels.Scale(2, 3), """{ "max_batch_size": 8 }""")
            .Model("stats", 1, SampleModels.Scale(2, 1), """{ "max_batch_size": 8 }""")
            .Model("gated", 1, SampleModels.Scale(2, 1), """{ "max_batch_size": 1 }""")
            .Model("autoscale_up", 1, SampleModels.Scale(2, 1), Autoscaling(min: 1, max: 3))
            .Model("autoscale_down", 1, SampleModels.Scale(2, 1), Autoscaling(min: 1, max: 3))
            .Model("autoscale_min", 1, SampleModels.Scale(2, 1), Autoscaling(min: 2, max: 3))
            .Model("autoscale_zero", 1, SampleModels.Scale(2, 1), Autoscaling(min: 0, max: 2))
            .Model("autoscale_herd", 1, SampleModels.Scale(2, 1), Autoscaling(min: 0, max: 2))
            .Model("autoscale_slow", 1, SampleModels.Scale(2, 1), Autoscaling(min: 0, max: 2, coldStartTimeoutS: 1))
            .Model("warmup_ok", 1, SampleModels.Scale(2, 1), Warmup(
                """{ "name": "zeros", "batch_size": 2, "count": 3, "inputs": { "INPUT0": { "data_type": "TYPE_FP32", "dims": [2], "zero_data": true } } }""",
                """{ "name": "from a file", "batch_size": 1, "inputs": { "INPUT0": { "data_type": "TYPE_FP32", "dims": [2], "input_data_file": "input0" } } }"""))
            .Model("warmup_shape", 1, SampleModels.Scale(2, 1), Warmup(
                """{ "name": "wrong shape", "batch_size": 1, "inputs": { "INPUT0": { "data_type": "TYPE_FP32", "dims": [3], "random_data": true } } }"""))
            .Model("warmup_file", 1, SampleModels.Scale(2, 1), Warmup(
                """{ "name": "no file", "batch_size": 1, "inputs": { "INPUT0": { "data_type": "TYPE_FP32", "dims": [2], "input_data_file": "missing" } } }"""));
        Directory.CreateDirectory(Path.Combine(_repository.Root, "warmup_ok", "warmup"));
        File.WriteAllBytes(Path.Combine(_repository.Root, "warmup_ok", "warmup", "input0"), Floats.ToBytes([1f, 2f]));
        ModelFilePadding.Pad(Path.Combine(_repository.Root, "big", "1", "model.onnx"), 2 * CpuBudgetBytes);

        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(sp => new OnnxModelRunnerFactory(sp.GetRequiredService<OnnxSessionFactory>()));
            silo.Services.AddSingleton<IModelRunnerFactory>(sp => new CountingRunnerFactory(sp.GetRequiredService<OnnxModelRunnerFactory>()));
            silo.AddInferenceGrains().AddDevices();
            silo.AddIncomingGrainCallFilter<ModelGrainCalls>();
            silo.AddIncomingGrainCallFilter<GpuGrainCalls>();
            silo.Services.Configure<ModelRepositoryOptions>(o =>
            {
                o.Path = _repository.Root;
                // Load on first request, once both silos are up, so placement sees both devices.
                o.LoadAllOnStartup = false;
            });
            silo.Services.Configure<DeviceOptions>(o =>
            {
                o.UseGpus = false;
                o.CpuMemoryBudgetBytes = CpuBudgetBytes;
            });
            silo.Services.Configure<RuntimeOptions>(o => o.IntraOpNumThreads = 1);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Router = new ModelRouter(Cluster.Client, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await Router.DisposeAsync();
        await Cluster.DisposeAsync();
        _repository.Dispose();
    }

    // Short delays so that a test sees every step within seconds: one request per instance, no batching, so that held
    // requests are load the autoscaler sees.
    private static string Autoscaling(int min, int max, int coldStartTimeoutS = 10) => $$"""
        { "max_batch_size": 1, "autoscaling": { "min_instances": {{min}}, "max_instances": {{max}}, "target_ongoing_requests": 2,
          "upscale_delay_s": 0.5, "downscale_delay_s": 1, "scale_to_zero_delay_s": 1, "cold_start_timeout_s": {{coldStartTimeoutS}} } }
        """;

    private static string Warmup(params string[] samples) => $$"""{ "max_batch_size": 8, "model_warmup": [{{string.Join(", ", samples)}}] }""";

    // A model whose file (about 200 KB of weights, padded below) exceeds a CPU device's budget.
    private static byte[] BigModel() =>
        new OnnxGraphBuilder("big")
            .Input("INPUT0", "FP32", -1, 50_000)
            .Output("OUTPUT0", "FP32", -1, 50_000)
            .Initializer("W", "FP32", [50_000], new byte[200_000])
            .Node("Add", ["INPUT0", "W"], ["OUTPUT0"])
            .ToBytes();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Two-silo cluster";
}
