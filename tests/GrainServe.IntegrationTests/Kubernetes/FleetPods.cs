using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace GrainServe.Kubernetes;

/// <summary>
/// The pods the manifests of k8s/ make, with the labels and containers they will have: a Deployment's pod template,
/// and for a KServe InferenceService the predictor pod as KServe builds it (the predictor's own labels plus
/// <c>serving.kserve.io/inferenceservice</c>; its custom containers, or those of the serving runtime it names, with
/// the runtime's labels).
/// </summary>
internal static class FleetPods
{
    /// <summary>Every such pod, in file order.</summary>
    public static IReadOnlyList<FleetPod> All()
    {
        var documents = Manifests.Files().SelectMany(f => Manifests.Documents(f).Select(d => (File: f, Node: d))).ToList();
        var runtimes = documents.Where(d => Manifests.Scalar(d.Node, "kind") == "ClusterServingRuntime")
            .ToDictionary(d => Manifests.Scalar(d.Node, "metadata", "name")!, d => d.Node);
        var pods = new List<FleetPod>();
        foreach (var (file, node) in documents)
        {
            var name = $"{file} {Manifests.Scalar(node, "kind")}/{Manifests.Scalar(node, "metadata", "name")}";
            switch (Manifests.Scalar(node, "kind"))
            {
                case "Deployment":
                    var template = KubernetesYaml.Deserialize<V1Deployment>(Manifests.ToYaml(node), strict: true).Spec.Template;
                    pods.Add(new FleetPod(name, template.Metadata.Labels.AsReadOnly(), template.Spec));
                    break;
                case "InferenceService":
                    pods.Add(Predictor(name, node, runtimes));
                    break;
            }
        }

        return pods;
    }

    private static FleetPod Predictor(string name, YamlMappingNode service, IReadOnlyDictionary<string, YamlMappingNode> runtimes)
    {
        var predictor = Manifests.Get(service, "spec", "predictor")!;
        // PredictorSpec inlines the PodSpec beside KServe's own fields, which a lenient parse passes over.
        var spec = KubernetesYaml.Deserialize<V1PodSpec>(Manifests.ToYaml(predictor));
        var labels = Manifests.Map(predictor, "labels");
        labels["serving.kserve.io/inferenceservice"] = Manifests.Scalar(service, "metadata", "name")!;
        if (Manifests.Scalar(predictor, "model", "runtime") is { } runtimeName)
        {
            var runtime = runtimes[runtimeName];
            spec.Containers = KubernetesYaml.Deserialize<List<V1Container>>(Manifests.ToYaml(Manifests.Get(runtime, "spec", "containers")!), strict: true);
            foreach (var (key, value) in Manifests.Map(runtime, "spec", "labels"))
            {
                labels.TryAdd(key, value);
            }
        }

        return new FleetPod(name, labels, spec);
    }
}
