using k8s.Models;

namespace GrainServe.Kubernetes;

/// <summary>A pod that a manifest in k8s/ makes: where it comes from, the labels it will carry and its spec.</summary>
/// <param name="Workload">The file and object that make it, as <c>silo.yaml Deployment/grainserve-silo</c>.</param>
/// <param name="Labels">The labels the pod will carry, those Kubernetes or KServe add included.</param>
/// <param name="Spec">The pod's spec, with the containers it will run.</param>
internal sealed record FleetPod(string Workload, IReadOnlyDictionary<string, string> Labels, V1PodSpec Spec)
{
    public override string ToString() => Workload;
}
