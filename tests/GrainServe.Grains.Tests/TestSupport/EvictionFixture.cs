using GrainServe.Gpu;
using GrainServe.ModelBuilder;
using GrainServe.Models;
using GrainServe.Routing;
using GrainServe.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace GrainServe.TestSupport;

/// <summary>
/// One silo with one CPU device whose budget fits two of the eviction test models (1 MiB each), and no minimum age,
/// so that every load of a third model must evict. Separate from <see cref="ClusterFixture"/>, whose budget fits
/// everything its tests load.
/// </summary>
public sealed class EvictionFixture : IAsyncLifetime
{
    /// <summary>The device's budget: two models and a half.</summary>
    public const long CpuBudgetBytes = 5L << 19;

    /// <summary>The models the tests use, each Scale(2, factor) padded to about 1 MiB; the "floor" ones have min_instances 1.</summary>
    public static readonly IReadOnlyList<(string Name, int Factor)> Models =
        [("lru-a", 2), ("lru-b", 3), ("lru-c", 4), ("floor-a", 5), ("floor-b", 6)];

    private const long ModelPaddingBytes = 1L << 20;

    private readonly TempRepository _repository = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>Routes requests as a gateway does.</summary>
    public ModelRouter Router { get; private set; } = null!;

    /// <summary>The silo's one device.</summary>
    public IGpuGrain Device { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        foreach (var (name, factor) in Models)
        {
            var config = name.StartsWith("floor", StringComparison.Ordinal)
                ? """{ "max_batch_size": 8, "autoscaling": { "min_instances": 1 } }"""
                : """{ "max_batch_size": 8 }""";
            _repository.Model(name, 1, SampleModels.Scale(2, factor), config);
            ModelFilePadding.Pad(Path.Combine(_repository.Root, name, "1", "model.onnx"), ModelPaddingBytes);
        }

        // A Hugging Face cache's layout: the version's model.onnx is a link to a blob, which is larger than the budget.
        var blob = Path.Combine(_repository.Root, ".blobs", "sha256-linked");
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.WriteAllBytes(blob, SampleModels.Scale(2, 7));
        ModelFilePadding.Pad(blob, 2 * CpuBudgetBytes);
        Directory.CreateDirectory(Path.Combine(_repository.Root, "linked", "1"));
        File.CreateSymbolicLink(Path.Combine(_repository.Root, "linked", "1", "model.onnx"), blob);

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(sp => new OnnxModelRunnerFactory(sp.GetRequiredService<OnnxSessionFactory>()));
            silo.Services.AddSingleton<IModelRunnerFactory>(sp => new CountingRunnerFactory(sp.GetRequiredService<OnnxModelRunnerFactory>()));
            silo.AddInferenceGrains().AddDevices();
            silo.Services.Configure<ModelRepositoryOptions>(o =>
            {
                o.Path = _repository.Root;
                o.LoadAllOnStartup = false;
            });
            silo.Services.Configure<DeviceOptions>(o =>
            {
                o.UseGpus = false;
                o.CpuMemoryBudgetBytes = CpuBudgetBytes;
                o.EvictionMinAge = TimeSpan.Zero;
            });
            silo.Services.Configure<RuntimeOptions>(o => o.IntraOpNumThreads = 1);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Router = new ModelRouter(Cluster.Client, TimeProvider.System);
        var silo = Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<LocalDeviceCatalog>().SiloName;
        Device = Client.GetGrain<IGpuGrain>($"{silo}/cpu0");
    }

    public async Task DisposeAsync()
    {
        await Router.DisposeAsync();
        await Cluster.DisposeAsync();
        _repository.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class EvictionCollection : ICollectionFixture<EvictionFixture>
{
    public const string Name = "Eviction cluster";
}
