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
}
