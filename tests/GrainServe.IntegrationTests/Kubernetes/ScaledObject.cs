using k8s.Models;

namespace GrainServe.Kubernetes;

/// <summary>
/// The fields of KEDA's <c>keda.sh/v1alpha1</c> ScaledObject that GrainServe's manifest uses, with KEDA's names and
/// types; strict deserialization into it fails on a field KEDA does not have under these names.
/// </summary>
public sealed class ScaledObject
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public ScaledObjectSpec Spec { get; set; } = new();
}

public sealed class ScaledObjectSpec
{
    public ScaleTarget ScaleTargetRef { get; set; } = new();

    public int? MinReplicaCount { get; set; }

    public int? MaxReplicaCount { get; set; }

    public int? CooldownPeriod { get; set; }

    public int? PollingInterval { get; set; }

    public List<ScaleTrigger> Triggers { get; set; } = [];
}

public sealed class ScaleTarget
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public string Name { get; set; } = "";
}

public sealed class ScaleTrigger
{
    public string Type { get; set; } = "";

    public Dictionary<string, string> Metadata { get; set; } = [];
}
