namespace GrainServe.Models;

/// <summary>
/// The state of one version of a model across the cluster.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.ModelVersionStatus")]
public sealed class ModelVersionStatus
{
    /// <summary>Creates a version status.</summary>
    public ModelVersionStatus(string version, ModelReadyState state, string? reason, int instanceCount)
    {
        Version = version;
        State = state;
        Reason = reason;
        InstanceCount = instanceCount;
    }

    /// <summary>The version number, as the name of its folder in the repository.</summary>
    [Id(0)] public string Version { get; }

    /// <summary>Ready when at least one instance is loaded somewhere in the cluster.</summary>
    [Id(1)] public ModelReadyState State { get; }

    /// <summary>Why the version is not ready; null when it is.</summary>
    [Id(2)] public string? Reason { get; }

    /// <summary>How many instances of this version are loaded, on all devices together.</summary>
    [Id(3)] public int InstanceCount { get; }
}
