namespace GrainServe.Models;

/// <summary>
/// Picks the instance with the fewest requests queued plus running; ties go to a random one, so that
/// equal instances share the load rather than the first taking everything.
/// </summary>
public static class InstanceRouter
{
    /// <summary>The index of the least loaded entry of <paramref name="pending"/>; -1 when it is empty.</summary>
    public static int PickLeastLoaded(IReadOnlyList<int> pending, Random random)
    {
        var best = -1;
        var ties = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            if (best < 0 || pending[i] < pending[best])
            {
                best = i;
                ties = 1;
            }
            else if (pending[i] == pending[best] && random.Next(++ties) == 0)
            {
                // Reservoir sampling: each of the tied entries ends up chosen with equal probability.
                best = i;
            }
        }

        return best;
    }

    /// <summary>
    /// For generation: the index of the instance with the fewest sequences in flight (queued or running), then, among
    /// those, the one with the most free KV cache (lowest <paramref name="kvCacheUsage"/>, 0 to 1), since a sequence's
    /// cost grows with its context; remaining ties go to a random one. -1 when there is none.
    /// </summary>
    public static int PickForGeneration(IReadOnlyList<int> sequences, IReadOnlyList<double> kvCacheUsage, Random random)
    {
        var best = -1;
        var ties = 0;
        for (var i = 0; i < sequences.Count; i++)
        {
            var order = best < 0 ? -1 : (sequences[i], kvCacheUsage[i]).CompareTo((sequences[best], kvCacheUsage[best]));
            if (order < 0)
            {
                best = i;
                ties = 1;
            }
            else if (order == 0 && random.Next(++ties) == 0)
            {
                best = i;
            }
        }

        return best;
    }
}
