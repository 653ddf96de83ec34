using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace GrainServe.Kubernetes;

/// <summary>
/// Every KServe object in k8s/ (InferenceService, ClusterServingRuntime) fits the OpenAPI schema of KServe's own
/// published CRD, field by field, and the serving runtime serves what the InferenceService that names it asks for.
/// </summary>
public sealed class KServeManifestTests
{
    private const string KServeGroup = "serving.kserve.io/";

    public static TheoryData<string> KServeManifests =>
        new(Manifests.Files().Where(f => Manifests.Documents(f).Any(IsKServe)));

    [Theory]
    [MemberData(nameof(KServeManifests))]
    public void Manifest_FitsKServesCrdSchema(string file)
    {
        foreach (var document in Manifests.Documents(file).Where(IsKServe))
        {
            var kind = Manifests.Scalar(document, "kind")!;
            if (KServeCrds.For(kind, $"{nameof(Manifest_FitsKServesCrdSchema)}({file})") is not { } crd)
            {
                return;
            }

            var violation = crd.Validate(document);
            Assert.True(violation is null, $"{file}: {violation}");
            // The CRD leaves metadata to the API server's own ObjectMeta rules, which KubernetesClient's model holds.
            KubernetesYaml.Deserialize<V1ObjectMeta>(Manifests.ToYaml(Manifests.Get(document, "metadata")!), strict: true);
        }
    }

    [Theory]
    [InlineData("gateway.yaml", "containerPort: 8001", "containerPrt: 8001", "spec.predictor.containers[0].ports[1].containerPrt")]
    [InlineData("gateway.yaml", "minReplicas: 2", "minReplicas: \"2\"", "spec.predictor.minReplicas")]
    [InlineData("gateway.yaml", "periodSeconds: 5", "periodSeconds: five", "spec.predictor.containers[0].readinessProbe.periodSeconds")]
    [InlineData("kserve/inferenceservice.yaml", "storageUri:", "storageUrl:", "spec.predictor.model.storageUrl")]
    [InlineData("kserve/clusterservingruntime.yaml", "autoSelect: true", "autoselect: true", "spec.supportedModelFormats[0].autoselect")]
    [InlineData("kserve/clusterservingruntime.yaml", "version: \"1\"", "version: 1", "spec.supportedModelFormats[0].version")]
    public void Manifest_WithABadField_FailsNamingItsPath(string file, string field, string bad, string path)
    {
        var text = File.ReadAllText(Path.Combine(Manifests.Folder, file));
        Assert.Contains(field, text);
        var document = Manifests.Parse(text.Replace(field, bad, StringComparison.Ordinal)).First(IsKServe);
        if (KServeCrds.For(Manifests.Scalar(document, "kind")!, nameof(Manifest_WithABadField_FailsNamingItsPath)) is not { } crd)
        {
            return;
        }

        var violation = crd.Validate(document);

        Assert.Equal(path, violation?.Path);
    }

    [Fact]
    public void ClusterServingRuntime_ServesOnnxOverV2FromMntModelsWithTheGatewayImage()
    {
        var runtime = Runtime();
        var container = Assert.Single(KubernetesYaml.Deserialize<List<V1Container>>(Manifests.ToYaml(Manifests.Get(runtime, "spec", "containers")!), strict: true));
        var gateway = FleetPods.All().Single(p => p.Workload == "gateway.yaml InferenceService/grainserve").Spec.Containers.Single();

        var format = Assert.Single(Manifests.Items(runtime, "spec", "supportedModelFormats"));
        Assert.Equal(("onnx", "1", "true"), (Manifests.Scalar(format, "name"), Manifests.Scalar(format, "version"), Manifests.Scalar(format, "autoSelect")));
        Assert.Equal(["v2", "grpc-v2"], Manifests.Items(runtime, "spec", "protocolVersions").Select(v => ((YamlScalarNode)v).Value));
        Assert.Equal("kserve-container", container.Name);
        Assert.Equal(gateway.Image, container.Image);
        Assert.Equal([("http1", 8000), ("h2c", 8001), ("metrics", 8002)], container.Ports.Select(p => (p.Name, p.ContainerPort)));
        Assert.Contains(container.Env, e => e.Name == "ModelRepository__Path" && e.Value == "/mnt/models");
        Assert.Contains(container.Env, e => e.Name == "Gateway__ListenAddress" && e.Value == "0.0.0.0");
        Assert.Equal(
            (gateway.StartupProbe.HttpGet.Path, gateway.ReadinessProbe.HttpGet.Path, gateway.LivenessProbe.HttpGet.Path),
            (container.StartupProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Path));
    }

    [Fact]
    public void ExampleInferenceService_NamesTheRuntimeAFormatAndAProtocolItServes()
    {
        var runtime = Runtime();
        var model = Manifests.Get(Manifests.Documents("kserve/inferenceservice.yaml").Single(), "spec", "predictor", "model")!;

        Assert.Equal(Manifests.Scalar(runtime, "metadata", "name"), Manifests.Scalar(model, "runtime"));
        Assert.Contains(Manifests.Scalar(model, "modelFormat", "name"), Manifests.Items(runtime, "spec", "supportedModelFormats").Select(f => Manifests.Scalar(f, "name")));
        Assert.Contains(Manifests.Scalar(model, "protocolVersion"), Manifests.Items(runtime, "spec", "protocolVersions").Select(v => ((YamlScalarNode)v).Value));
        Assert.False(string.IsNullOrEmpty(Manifests.Scalar(model, "storageUri")));
    }

    private static YamlMappingNode Runtime() => Manifests.Documents("kserve/clusterservingruntime.yaml").Single();

    private static bool IsKServe(YamlMappingNode document) =>
        Manifests.Scalar(document, "apiVersion")?.StartsWith(KServeGroup, StringComparison.Ordinal) == true;
}
