using GrainServe.Gpu;

namespace GrainServe.Models;

/// <summary>What a model grain knows of one version: its state, effective config and instances.</summary>
internal sealed class ModelVersionState(long number, string version)
{
    public long Number { get; } = number;

    public string Version { get; } = version;

    public ModelReadyState State { get; set; } = ModelReadyState.Unknown;

    public string? Reason { get; set; }

    // The effective config from the first load; every instance of a version loads the same files.
    public ModelConfig? Config { get; set; }

    public List<ModelInstanceSlot> Instances { get; } = [];

    // Whether the device directory holds an unmet memory demand for this version (every device refused it for room).
    public bool Unplaced { get; set; }

    public ModelVersionStatus ToStatus() => new(Version, State, Reason, Instances.Count);
}

/// <summary>An instance as its model grain routes to it.</summary>
internal sealed class ModelInstanceSlot(ModelInstanceInfo info, IGpuGrain device)
{
    public ModelInstanceInfo Info { get; } = info;

    public IGpuGrain Device { get; } = device;
}
