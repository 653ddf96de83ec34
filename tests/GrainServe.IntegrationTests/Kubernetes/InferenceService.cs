using k8s.Models;

namespace GrainServe.Kubernetes;

/// <summary>
/// The fields of KServe's <c>serving.kserve.io/v1beta1</c> InferenceService that GrainServe's manifest uses, with
/// KServe's names and types (PredictorSpec embeds the Kubernetes PodSpec and KServe's ComponentExtensionSpec). Strict
/// deserialization into it fails on a field KServe does not have under these names.
/// </summary>
public sealed class InferenceService
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public InferenceServiceSpec Spec { get; set; } = new();
}

public sealed class InferenceServiceSpec
{
    public PredictorSpec Predictor { get; set; } = new();
}

public sealed class PredictorSpec
{
    public int? MinReplicas { get; set; }

    public int? MaxReplicas { get; set; }

    public int? ScaleTarget { get; set; }

    public string? ScaleMetric { get; set; }

    public bool? AutomountServiceAccountToken { get; set; }

    public long? TerminationGracePeriodSeconds { get; set; }

    public string? ServiceAccountName { get; set; }

    public IDictionary<string, string>? NodeSelector { get; set; }

    public IList<V1Container> Containers { get; set; } = [];

    public IList<V1Volume>? Volumes { get; set; }
}
