namespace GrainServe.Gpu;

/// <summary>
/// Chooses which idle model instances to unload from a device so that another can load: least recently used first,
/// and only as many as make it fit. Pure: the device's instances and the time in, a plan out.
/// </summary>
/// <remarks>
/// Never chosen: an instance of the model being loaded (any version: loading a canary must not unload its baseline), one
/// with requests queued or running, one loaded less than the minimum age ago (so that two models taking turns do not
/// evict each other on every request), and one whose version needs it for <c>min_instances</c>. Since
/// <see cref="EvictionCandidate.MayLeave"/> is judged for each instance alone, at most one instance of each version is
/// chosen per plan; the autoscaler, not eviction, removes a version's spare instances. When even every eligible
/// instance would not make room, nothing is chosen: unloading would cost their users and still fail the load.
/// </remarks>
public static class EvictionPolicy
{
    /// <summary>The default minimum age: an instance loaded less than 10 s ago is kept.</summary>
    public static readonly TimeSpan DefaultMinAge = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The plan for loading <paramref name="bytesNeeded"/> bytes of model <paramref name="loadingModel"/> on a device
    /// with <paramref name="bytesFree"/> free and <paramref name="candidates"/> loaded.
    /// </summary>
    public static EvictionPlan Plan(
        long bytesNeeded,
        long bytesFree,
        IReadOnlyCollection<EvictionCandidate> candidates,
        string loadingModel,
        DateTimeOffset now,
        TimeSpan minAge)
    {
        if (bytesFree >= bytesNeeded)
        {
            return new EvictionPlan([], null);
        }

        var busy = 0;
        var young = 0;
        var own = 0;
        var needed = 0;
        var eligible = new List<EvictionCandidate>();
        foreach (var candidate in candidates)
        {
            if (candidate.ModelName == loadingModel)
            {
                own++;
            }
            else if (candidate.Ongoing > 0)
            {
                busy++;
            }
            else if (now - candidate.LoadedAt < minAge)
            {
                young++;
            }
            else if (!candidate.MayLeave)
            {
                needed++;
            }
            else
            {
                eligible.Add(candidate);
            }
        }

        // Oldest use first; ties by load time, then id, so that every run over the same state plans the same unloads.
        var chosen = new List<EvictionCandidate>();
        var versions = new HashSet<(string, string)>();
        var freed = 0L;
        foreach (var candidate in eligible.OrderBy(c => c.LastUsed).ThenBy(c => c.LoadedAt).ThenBy(c => c.InstanceId, StringComparer.Ordinal))
        {
            if (bytesFree + freed >= bytesNeeded)
            {
                break;
            }

            if (versions.Add((candidate.ModelName, candidate.ModelVersion)))
            {
                chosen.Add(candidate);
                freed += candidate.ChargedBytes;
            }
        }

        if (bytesFree + freed >= bytesNeeded)
        {
            return new EvictionPlan(chosen, null);
        }

        var kept = new List<string>();
        AddCount(kept, busy, "busy");
        AddCount(kept, young, $"loaded under {minAge.TotalSeconds:0.###} s ago");
        AddCount(kept, own, $"of '{loadingModel}' itself");
        AddCount(kept, needed, "needed for their version's min_instances");
        AddCount(kept, eligible.Count - chosen.Count, "more of a version already chosen (one instance per version leaves per plan)");
        var reason = $"needs {Mib(bytesNeeded)} MiB with {Mib(bytesFree)} MiB free; unloading every evictable instance frees only {Mib(freed)} MiB more"
            + (kept.Count > 0 ? $" ({candidates.Count} loaded: {string.Join(", ", kept)})" : "");
        return new EvictionPlan([], reason);
    }

    private static void AddCount(List<string> parts, int count, string what)
    {
        if (count > 0)
        {
            parts.Add($"{count} {what}");
        }
    }

    private static long Mib(long bytes) => bytes >> 20;
}
