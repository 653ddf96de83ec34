using GrainServe.Models;

namespace GrainServe.Gpu;

/// <summary>
/// The outcome of loading a model instance on a device: the instance, or why it was refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainServe.LoadResult")]
public sealed class LoadResult
{
    private LoadResult(ModelInstanceInfo? instance, ModelConfig? config, string? failure, bool doesNotFit, long neededBytes = 0)
    {
        Instance = instance;
        Config = config;
        Failure = failure;
        DoesNotFit = doesNotFit;
        NeededBytes = neededBytes;
    }

    /// <summary>The loaded instance; null when the load failed.</summary>
    [Id(0)] public ModelInstanceInfo? Instance { get; }

    /// <summary>Why the load failed; null on success.</summary>
    [Id(1)] public string? Failure { get; }

    /// <summary>True when the load failed only because the device lacks memory, so another device may take it.</summary>
    [Id(2)] public bool DoesNotFit { get; }

    /// <summary>The instance's effective configuration (completed from the model file); null when the load failed.</summary>
    [Id(3)] public ModelConfig? Config { get; }

    /// <summary>For a refusal for lack of memory, the bytes the instance needs (0 when unknown): the cluster's unmet demand.</summary>
    [Id(4)] public long NeededBytes { get; }

    /// <summary>A successful load.</summary>
    public static LoadResult Loaded(ModelInstanceInfo instance, ModelConfig config) => new(instance, config, null, false);

    /// <summary>A load the model itself made fail (bad file, bad config): no device will do better.</summary>
    public static LoadResult Failed(string reason) => new(null, null, reason, false);

    /// <summary>A load refused for lack of memory on this device; <paramref name="neededBytes"/> is what it would take.</summary>
    public static LoadResult NoRoom(string reason, long neededBytes = 0) => new(null, null, reason, true, neededBytes);
}
