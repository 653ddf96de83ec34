using k8s;
using k8s.Models;

namespace GrainServe.Kubernetes;

/// <summary>
/// Every manifest in k8s/ parses strictly against the Kubernetes API types (KubernetesClient's models) or, for the
/// InferenceService, against KServe's v1beta1 field names, so a misspelt field fails the build; and the manifests
/// keep the deployment rules of the README (probes, named ports, drain time, GPU limits).
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "k8s");

    public static TheoryData<string> Manifests => new(Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml")!);

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Manifest_ParsesStrictlyAgainstItsSchema(string file)
    {
        foreach (var document in Documents(file))
        {
            if (document.Contains("kind: InferenceService", StringComparison.Ordinal))
            {
                var service = KubernetesYaml.Deserialize<InferenceService>(document, strict: true);
                Assert.Equal("serving.kserve.io/v1beta1", service.ApiVersion);
                Assert.NotEmpty(service.Spec.Predictor.Containers);
            }
            else
            {
                Assert.Single(KubernetesYaml.LoadAllFromString(document, strict: true));
            }
        }
    }

    [Fact]
    public void Kustomization_ListsEveryManifest()
    {
        var kustomization = File.ReadAllText(Path.Combine(Folder, "kustomization.yaml"));
        foreach (var file in Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml"))
        {
            Assert.Contains($"- {file}", kustomization);
        }
    }

    [Fact]
    public void Workloads_HaveNamedPortsProbesDrainTimeAndCpuRequestsWithoutCpuLimits()
    {
        var silo = Objects("silo.yaml").OfType<V1Deployment>().Single();
        var pod = silo.Spec.Template.Spec;
        var gateway = KubernetesYaml.Deserialize<InferenceService>(Documents("gateway.yaml").First(d => d.Contains("kind: InferenceService", StringComparison.Ordinal)), strict: true);
        var containers = pod.Containers.Concat(gateway.Spec.Predictor.Containers).ToList();

        Assert.Equal("0", silo.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.True(pod.TerminationGracePeriodSeconds > 30 && gateway.Spec.Predictor.TerminationGracePeriodSeconds > 30, "grace period must exceed the 30 s shutdown timeout");
        Assert.False(pod.AutomountServiceAccountToken);
        Assert.All(containers, c =>
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
        Assert.Equal(["http1", "h2c"], gateway.Spec.Predictor.Containers[0].Ports.Select(p => p.Name));
        Assert.True(gateway.Spec.Predictor.MinReplicas <= gateway.Spec.Predictor.MaxReplicas);
        Assert.All(Objects("silo.yaml").Concat(Objects("redis.yaml")).OfType<V1PodDisruptionBudget>(), p => Assert.NotNull(p.Spec.Selector));
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

    private static IEnumerable<string> Documents(string file) =>
        File.ReadAllText(Path.Combine(Folder, file)).Split("\n---", StringSplitOptions.RemoveEmptyEntries).Where(d => d.Contains("kind:", StringComparison.Ordinal));

    private static IEnumerable<object> Objects(string file) =>
        Documents(file).Where(d => !d.Contains("kind: InferenceService", StringComparison.Ordinal)).SelectMany(d => KubernetesYaml.LoadAllFromString(d, strict: true));
}
