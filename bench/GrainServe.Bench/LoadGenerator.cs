using System.Diagnostics;

namespace GrainServe.Bench;

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers each send a request, wait for its answer and send the next, for a
/// fixed time. Each call returns the rows it carried; a thrown exception counts as an error.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<(long Requests, long Rows, long Errors, TimeSpan Elapsed, double[] LatenciesMs)> RunAsync(int concurrency, TimeSpan duration, Func<int, Task<int>> call)
    {
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var latencies = new List<double>();
            long rows = 0, errors = 0, sequence = 0;
            while (stop.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    rows += await call((int)(worker * 7919 + sequence++));
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception)
                {
                    errors++;
                }
            }

            return (latencies, rows, errors);
        })).ToArray();
        var results = await Task.WhenAll(workers);
        var elapsed = stop.Elapsed;
        return (results.Sum(r => r.latencies.Count), results.Sum(r => r.rows), results.Sum(r => r.errors), elapsed, results.SelectMany(r => r.latencies).ToArray());
    }
}
