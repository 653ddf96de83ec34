using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace GrainServe.Kubernetes;

/// <summary>
/// Every core manifest in k8s/ parses strictly against the Kubernetes API types (KubernetesClient's models), so a
/// misspelt field fails the build (KServe's objects are checked against KServe's CRDs in
/// <see cref="KServeManifestTests"/>); and the manifests keep the deployment rules of the README (probes, named
/// ports, drain time, GPU limits).
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = Manifests.Folder;

    public static TheoryData<string> CoreManifests => new(Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml")!);

    [Theory]
    [MemberData(nameof(CoreManifests))]
    public void CoreManifest_ParsesStrictlyAgainstKubernetesTypes(string file)
    {
        foreach (var document in Documents(file).Where(d => !d.Contains("apiVersion: serving.kserve.io/", StringComparison.Ordinal)))
        {
            Assert.Single(KubernetesYaml.LoadAllFromString(document, strict: true));
        }
    }

    [Fact]
    public void Kustomizations_ListEveryFileOfTheirFolder()
    {
        foreach (var kustomization in Directory.GetFiles(Folder, "kustomization.yaml", SearchOption.AllDirectories))
        {
            var folder = Path.GetDirectoryName(kustomization)!;
            var root = Manifests.Parse(File.ReadAllText(kustomization)).Single();
            var listed = Names(root, "resources")
                .Concat(Manifests.Items(root, "configMapGenerator").SelectMany(g => Names(g, "files")))
                .Select(f => f[(f.IndexOf('=', StringComparison.Ordinal) + 1)..])
                .ToHashSet();
            var files = Directory.GetFiles(folder, "*.yaml").Concat(Directory.GetFiles(folder, "*.json"))
                .Select(Path.GetFileName).Where(f => f != "kustomization.yaml").ToHashSet();

            Assert.True(files.SetEquals(listed), $"{kustomization} lists {string.Join(", ", listed.Order())}; the folder holds {string.Join(", ", files.Order())}");
        }
    }

    [Fact]
    public void Workloads_HaveNamedPortsProbesDrainTimeAndCpuRequestsWithoutCpuLimits()
    {
        var silo = Objects("silo.yaml").OfType<V1Deployment>().Single();
        var pod = silo.Spec.Template.Spec;
        var pods = FleetPods.All();
        var gateway = pods.Single(p => p.Workload == "gateway.yaml InferenceService/grainserve");
        var predictor = Manifests.Get(Manifests.Documents("gateway.yaml")[0], "spec", "predictor")!;
        // The GrainServe processes: device silos, gateways, and the gateways the KServe runtime starts.
        var servers = pods.Where(p => p.Labels.GetValueOrDefault("app.kubernetes.io/name") is "grainserve-gateway" or "grainserve-silo").ToList();

        Assert.Equal(3, servers.Count);
        Assert.Equal("0", silo.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.All(servers, p =>
        {
            Assert.True(p.Spec.TerminationGracePeriodSeconds > 30, $"{p}: the grace period must exceed the 30 s shutdown timeout");
            Assert.False(p.Spec.AutomountServiceAccountToken);
        });
        Assert.All(servers.SelectMany(p => p.Spec.Containers), c =>
        {
            Assert.All(c.Ports, p => Assert.False(string.IsNullOrEmpty(p.Name)));
            Assert.NotNull(c.StartupProbe);
            Assert.NotNull(c.ReadinessProbe);
            Assert.NotNull(c.LivenessProbe);
            Assert.True(c.Resources.Requests.ContainsKey("cpu"));
            Assert.False(c.Resources.Limits?.ContainsKey("cpu") ?? false);
        });
        Assert.Equal("1", pod.Containers[0].Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Contains(pod.Containers[0].Env, e => e.Name == "Cluster__SiloName" && e.ValueFrom.FieldRef.FieldPath == "spec.nodeName");
        Assert.Equal(["silo", "gateway", "health", "metrics"], pod.Containers[0].Ports.Select(p => p.Name));
        Assert.Equal(["http1", "h2c", "metrics"], gateway.Spec.Containers[0].Ports.Select(p => p.Name));
        Assert.True(int.Parse(Manifests.Scalar(predictor, "minReplicas")!) <= int.Parse(Manifests.Scalar(predictor, "maxReplicas")!));
        Assert.All(Objects("silo.yaml").Concat(Objects("redis.yaml")).Concat(Objects("gateway.yaml")).OfType<V1PodDisruptionBudget>(), p => Assert.NotNull(p.Spec.Selector));
    }

    [Fact]
    public void KedaScaledObject_ScalesTheSiloDeploymentByTheDesiredSilosGauge()
    {
        var scaled = KubernetesYaml.Deserialize<ScaledObject>(File.ReadAllText(Path.Combine(Folder, "keda", "scaledobject.yaml")), strict: true);
        var silo = Objects("silo.yaml").OfType<V1Deployment>().Single();

        Assert.Equal("keda.sh/v1alpha1", scaled.ApiVersion);
        Assert.Equal(silo.Metadata.Name, scaled.Spec.ScaleTargetRef.Name);
        Assert.Equal("Deployment", scaled.Spec.ScaleTargetRef.Kind);
        var trigger = Assert.Single(scaled.Spec.Triggers);
        Assert.Equal("prometheus", trigger.Type);
        Assert.Contains("grainserve_desired_device_silos", trigger.Metadata["query"]);
        Assert.Equal("1", trigger.Metadata["threshold"]);
        Assert.True(scaled.Spec.MinReplicaCount >= 1 && scaled.Spec.MinReplicaCount <= scaled.Spec.MaxReplicaCount);
    }

    private static IEnumerable<string> Names(YamlNode node, string key) =>
        Manifests.Items(node, key).OfType<YamlScalarNode>().Select(s => s.Value!);

    private static IEnumerable<string> Documents(string file) =>
        File.ReadAllText(Path.Combine(Folder, file)).Split("\n---", StringSplitOptions.RemoveEmptyEntries).Where(d => d.Contains("kind:", StringComparison.Ordinal));

    private static IEnumerable<object> Objects(string file) =>
        Documents(file).Where(d => !d.Contains("apiVersion: serving.kserve.io/", StringComparison.Ordinal)).SelectMany(d => KubernetesYaml.LoadAllFromString(d, strict: true));
}
