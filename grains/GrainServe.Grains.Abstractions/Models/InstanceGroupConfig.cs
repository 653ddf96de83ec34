namespace GrainServe.Models;

/// <summary>Triton's <c>instance_group</c> entry.</summary>
[GenerateSerializer, Alias("GrainServe.InstanceGroupConfig")]
public sealed class InstanceGroupConfig
{
    /// <summary>How many instances of each version to place in the cluster. Default 1.</summary>
    [Id(0)] public int Count { get; set; } = 1;

    /// <summary><c>KIND_AUTO</c> (default), <c>KIND_GPU</c> or <c>KIND_CPU</c>: which devices may hold the instances.</summary>
    [Id(1)] public string? Kind { get; set; }
}
