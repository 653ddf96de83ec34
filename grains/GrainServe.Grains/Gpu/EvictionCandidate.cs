namespace GrainServe.Gpu;

/// <summary>A model instance on a device that could be unloaded to make room, as the device's grain sees it.</summary>
/// <param name="InstanceId">The instance's id on the device.</param>
/// <param name="ModelName">Its model.</param>
/// <param name="ModelVersion">Its version.</param>
/// <param name="ChargedBytes">The device memory charged to it, which its unload frees, in bytes.</param>
/// <param name="LastUsed">When it last started or finished a request; its load time when it has had none.</param>
/// <param name="LoadedAt">When it finished loading.</param>
/// <param name="Ongoing">Requests (or sequences) queued plus running on it now.</param>
/// <param name="MayLeave">
/// Whether its version keeps at least <c>min_instances</c> without it, counting its other instances on every device;
/// false keeps it loaded.
/// </param>
public sealed record EvictionCandidate(
    string InstanceId,
    string ModelName,
    string ModelVersion,
    long ChargedBytes,
    DateTimeOffset LastUsed,
    DateTimeOffset LoadedAt,
    int Ongoing,
    bool MayLeave);
