namespace GrainServe.Speech.Transcription;

/// <summary>
/// The dynamic time warping of whisper's <c>timing.py</c> (<c>dtw_cpu</c> and <c>backtrace</c>): the cheapest
/// monotonic path through a cost matrix from its first cell to its last, moving down, right or diagonally.
/// </summary>
internal static class DynamicTimeWarping
{
    /// <summary>
    /// The path through <paramref name="cost"/> (rows: text tokens, columns: audio frames), as whisper returns it:
    /// one pair of indices per step, from (0, 0) to (rows - 1, columns - 1).
    /// </summary>
    /// <remarks>
    /// Ties go as whisper's: the diagonal only when it is strictly the cheapest, then up, else left; and the running
    /// cost is kept in float32 as whisper's is, so near-ties break the same way.
    /// </remarks>
    public static (int[] TextIndices, int[] TimeIndices) Path(double[,] cost)
    {
        int n = cost.GetLength(0), m = cost.GetLength(1);
        var total = new float[n + 1, m + 1];
        var trace = new sbyte[n + 1, m + 1];
        for (var i = 0; i <= n; i++)
        {
            for (var j = 0; j <= m; j++)
            {
                total[i, j] = float.PositiveInfinity;
                trace[i, j] = -1;
            }
        }

        total[0, 0] = 0;
        for (var j = 1; j <= m; j++)
        {
            for (var i = 1; i <= n; i++)
            {
                float c0 = total[i - 1, j - 1], c1 = total[i - 1, j], c2 = total[i, j - 1];
                var (c, t) = c0 < c1 && c0 < c2 ? (c0, (sbyte)0) : c1 < c0 && c1 < c2 ? (c1, (sbyte)1) : (c2, (sbyte)2);
                total[i, j] = (float)(cost[i - 1, j - 1] + c);
                trace[i, j] = t;
            }
        }

        for (var j = 0; j <= m; j++)
        {
            trace[0, j] = 2;
        }

        for (var i = 0; i <= n; i++)
        {
            trace[i, 0] = 1;
        }

        var path = new List<(int, int)>();
        for (int i = n, j = m; i > 0 || j > 0;)
        {
            path.Add((i - 1, j - 1));
            switch (trace[i, j])
            {
                case 0:
                    i--;
                    j--;
                    break;
                case 1:
                    i--;
                    break;
                case 2:
                    j--;
                    break;
                default:
                    throw new InvalidOperationException($"dynamic time warping reached cell ({i}, {j}) with no way back");
            }
        }

        path.Reverse();
        return (path.Select(p => p.Item1).ToArray(), path.Select(p => p.Item2).ToArray());
    }
}
