using GrainServe.Contracts;

namespace GrainServe.Routing;

/// <summary>
/// Power of two choices: two instances drawn at random, the less loaded one taken. Against picking the global minimum
/// it avoids the herd (many gateways with similar, slightly stale figures all piling onto one instance) at almost the
/// same balance; against random it bounds the worst queue to O(log log n) (Mitzenmacher, 2001).
/// </summary>
public static class InstancePicker
{
    /// <summary>The index of the chosen entry of <paramref name="loads"/> (lower is less loaded); -1 when it is empty.</summary>
    public static int PickOfTwo<T>(IReadOnlyList<T> loads, Random random)
        where T : IComparable<T>
    {
        switch (loads.Count)
        {
            case 0:
                return -1;
            case 1:
                return 0;
        }

        var first = random.Next(loads.Count);
        var second = random.Next(loads.Count - 1);
        if (second >= first)
        {
            // Draws the second from the others, so the two are always distinct.
            second++;
        }

        var order = loads[first].CompareTo(loads[second]);
        return order < 0 || (order == 0 && random.Next(2) == 0) ? first : second;
    }

    /// <summary>
    /// For a request that must be answered within <paramref name="remaining"/>: the power of two choices among the
    /// instances whose queue can still meet it, by their figures (this gateway's requests in flight there × the batch
    /// time and batch size the instance last reported), and among all of them when none or all can. An instance that has
    /// reported no figures yet counts as able, for want of evidence against it. -1 when <paramref name="loads"/> is empty.
    /// </summary>
    public static int PickForDeadline(IReadOnlyList<(int InFlight, ServiceEstimate? Estimate)> loads, TimeSpan remaining, Random random)
    {
        var able = new List<int>(loads.Count);
        for (var i = 0; i < loads.Count; i++)
        {
            if (loads[i].Estimate is not { } estimate || TimeToAnswer(loads[i].InFlight, estimate) <= remaining)
            {
                able.Add(i);
            }
        }

        if (able.Count == 0 || able.Count == loads.Count)
        {
            return PickOfTwo(loads.Select(l => l.InFlight).ToList(), random);
        }

        return able[PickOfTwo(able.Select(i => loads[i].InFlight).ToList(), random)];
    }

    /// <summary>
    /// How long a request sent now waits and runs on an instance with <paramref name="inFlight"/> requests ahead of it:
    /// the batches they fill, plus its own, each taking the reported batch time.
    /// </summary>
    public static TimeSpan TimeToAnswer(int inFlight, ServiceEstimate estimate)
    {
        var perBatch = Math.Max(1, estimate.RequestsPerBatch);
        var batches = Math.Ceiling((Math.Max(0, inFlight) + 1) / perBatch);
        return estimate.BatchTime * batches;
    }
}
