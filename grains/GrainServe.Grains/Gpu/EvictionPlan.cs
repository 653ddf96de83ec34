namespace GrainServe.Gpu;

/// <summary>What the <see cref="EvictionPolicy"/> chose: the instances to unload, in order, or why none would do.</summary>
/// <param name="Evict">The instances to unload, least recently used first; empty when the load fits already or cannot fit.</param>
/// <param name="Reason">Why the load cannot fit even with every evictable instance gone; null when it fits.</param>
public sealed record EvictionPlan(IReadOnlyList<EvictionCandidate> Evict, string? Reason)
{
    /// <summary>Whether the load fits once <see cref="Evict"/> is unloaded.</summary>
    public bool Fits => Reason is null;
}
