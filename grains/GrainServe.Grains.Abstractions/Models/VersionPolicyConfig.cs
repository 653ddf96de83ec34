namespace GrainServe.Models;

/// <summary>Triton's <c>version_policy</c>: exactly one of its members is set.</summary>
[GenerateSerializer, Alias("GrainServe.VersionPolicyConfig")]
public sealed class VersionPolicyConfig
{
    /// <summary>Serve the newest <c>num_versions</c> versions.</summary>
    [Id(0)] public LatestVersionPolicy? Latest { get; set; }

    /// <summary>Serve every version in the repository.</summary>
    [Id(1)] public AllVersionPolicy? All { get; set; }

    /// <summary>Serve the listed versions.</summary>
    [Id(2)] public SpecificVersionPolicy? Specific { get; set; }
}
