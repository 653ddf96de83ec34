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

    // Requests refused before reaching an instance (invalid for the model); instances count the rest.
    public StatisticDuration Failures { get; set; } = StatisticDuration.Zero;

    public ModelVersionStatus ToStatus() => new(Version, State, Reason, Instances.Count);
}

/// <summary>An instance as its model grain routes to it.</summary>
internal sealed class ModelInstanceSlot(ModelInstanceInfo info, IGpuGrain device)
{
    public ModelInstanceInfo Info { get; } = info;

    public IGpuGrain Device { get; } = device;

    // Requests this grain routed to the instance that have not been answered yet.
    public int Pending { get; set; }

    // A generation instance's KV cache use (0 to 1) as its last streamed chunk reported it; 0 until it streamed.
    public double KvCacheUsage { get; set; }
}
