using System.Diagnostics;
using Xunit.Abstractions;

namespace GrainServe;

/// <summary>Several processes, one cluster: spreading, a crashed node and a graceful stop, with Redis membership.</summary>
[Trait("Category", "MultiProcess")]
[Collection(MultiProcessCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Burst_ToModelWithTwoInstances_IsServedByDevicesOnBothNodes()
    {
        await using var cluster = await StartClusterAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(cluster.InferAsync));

        Assert.All(outcomes, o => Assert.Equal("ok", o));
        var devices = await cluster.DevicesAsync();
        Assert.Equal(2, devices.Count);
        Assert.All(devices, d => Assert.True(d!["executed_batches"]!.GetValue<long>() > 0, $"{d["key"]} ran no batch"));

        // Each device silo serves its own metrics, labelled with its name; together they count every request once.
        var served = 0.0;
        foreach (var node in cluster.Nodes.Keys)
        {
            var prefix = $"nv_inference_request_success{{model=\"spread\",version=\"1\",silo=\"{node}\"}} ";
            var line = (await cluster.ScrapeAsync(node)).Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
            var count = double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(count > 0, $"{node} counted no request");
            served += count;
        }

        Assert.Equal(200, served);
    }

    [Fact]
    public async Task ManyModelsPlacedAtOnce_OnTwoNodes_SplitTheirInstancesEvenly()
    {
        // Issue 12 measured 17 instances on one node and 1 on the other when several models placed at once; placement
        // now ranks devices across every model (free memory, then instances of any model, then at random).
        await RedisServer.EnsureRunningAsync();
        await using var cluster = new ClusterProcesses();
        var models = Enumerable.Range(0, 6).Select(m => $"many{m}").ToArray();
        foreach (var model in models)
        {
            cluster.AddAddSubModel(model, 3);
        }

        cluster.StartGateway();
        cluster.StartNode("node-1");
        cluster.StartNode("node-2");
        await cluster.WaitForDevicesAsync(2);

        // The first request of each model, all at once, makes its grain place its three instances.
        var outcomes = await Task.WhenAll(models.Select(m => cluster.InferAsync(m, 1)));
        Assert.All(outcomes, o => Assert.Equal("ok", o));
        var perNode = new Dictionary<string, int> { ["node-1"] = 0, ["node-2"] = 0 };
        foreach (var model in models)
        {
            var instances = System.Text.Json.Nodes.JsonNode.Parse(await cluster.Http.GetStringAsync(new Uri(cluster.BaseAddress, $"/v2/models/{model}/instances")))!["instances"]!.AsArray();
            Assert.Equal(3, instances.Count);
            var mine = instances.GroupBy(i => i!["device"]!.GetValue<string>().Split('/')[0]).ToDictionary(g => g.Key, g => g.Count());
            // Every device has one of a model's instances before any has two: two and one, never three and none.
            Assert.Equal([1, 2], mine.Values.Order());
            foreach (var (node, count) in mine)
            {
                perNode[node] += count;
            }
        }

        // Which node takes a model's third instance is each grain's own tiebreak when they place at the same moment, so
        // the totals fall between 6 and 12 (measured 7/11, 9/9, 10/8, 11/7); 17 and 1, the old failure, cannot happen.
        output.WriteLine(string.Join(", ", perNode.Select(kv => $"{kv.Key}: {kv.Value} instances")));
        Assert.InRange(perNode["node-1"], 6, 12);
        Assert.InRange(perNode["node-2"], 6, 12);
    }

    [Fact]
    public async Task NodeAddedUnderLoad_TakesAnInstanceOfTheBusyModel()
    {
        await RedisServer.EnsureRunningAsync();
        await using var cluster = new ClusterProcesses();
        cluster.StartGateway();
        cluster.StartNode("node-1");
        await cluster.WaitForDevicesAsync(1);

        // The load runs until 8 s after the new node joined, however long its start takes on a busy machine.
        var stopTicks = long.MaxValue;
        var load = Task.WhenAll(Enumerable.Range(0, 48).Select(async w =>
        {
            var outcomes = new List<string>();
            for (var i = w * 1000; DateTime.UtcNow.Ticks < Interlocked.Read(ref stopTicks); i++)
            {
                outcomes.Add(await cluster.InferAsync("growing", i % 1000));
            }

            return outcomes;
        }));
        await Task.Delay(TimeSpan.FromSeconds(2));
        cluster.StartNode("node-2");
        await cluster.WaitForDevicesAsync(2);
        Interlocked.Exchange(ref stopTicks, DateTime.UtcNow.AddSeconds(8).Ticks);
        var outcomes = (await load).SelectMany(o => o).ToList();

        var added = (await cluster.DevicesAsync()).Single(d => d!["key"]!.GetValue<string>() == "node-2/cpu0")!;
        output.WriteLine($"requests: {outcomes.Count}, node-2 batches: {added["executed_batches"]}");
        Assert.All(outcomes, o => Assert.Equal("ok", o));
        Assert.True(added["executed_batches"]!.GetValue<long>() > 0, "the node added under load ran no batch of the busy model");
    }

    [Fact]
    public async Task KillNineDeviceNode_UnderSteadyLoad_LeavesNoRequestUnanswered()
    {
        await using var cluster = await StartClusterAsync();

        Task<TimeSpan>? declaredDead = null;
        var (counts, _) = await LoadWhileAsync(cluster, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(2), () =>
        {
            cluster.Nodes["node-2"].Kill();
            declaredDead = TimeUntilDevicesAsync(cluster, 1);
        });

        output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}")));
        output.WriteLine($"node-2 declared dead (its device left the directory) {(await declaredDead!).TotalSeconds:0.0} s after the kill");
        output.WriteLine(string.Join("\n", cluster.RetryableSamples.Distinct().Take(5)));
        output.WriteLine(string.Join("\n", cluster.RetryableSamples.Distinct().Take(5)));
        Assert.Equal(0, counts.GetValueOrDefault("unanswered"));
        Assert.True(counts.Keys.All(k => k is "ok" or "retryable" or "unanswered"), string.Join("; ", counts.Keys));
        Assert.True(counts.GetValueOrDefault("ok") > 100);
        // After the kill the survivor serves alone.
        Assert.Equal("ok", await cluster.InferAsync(7));
    }

    [Fact]
    public async Task SigstopDeviceNode_UnderSteadyLoad_FailsOverWithinSeconds()
    {
        await using var cluster = await StartClusterAsync();
        var hung = cluster.Nodes["node-2"];

        // Both instances placed and serving before the stop: this is about requests in flight, not placement.
        Assert.All(await Task.WhenAll(Enumerable.Range(0, 100).Select(cluster.InferAsync)), o => Assert.Equal("ok", o));
        Assert.All(await cluster.DevicesAsync(), d => Assert.True(d!["executed_batches"]!.GetValue<long>() > 0, $"{d["key"]} ran no batch"));

        // A stopped process keeps its sockets open: nothing fails, calls just wait, until the liveness probe gives up on it.
        var latencies = new System.Collections.Concurrent.ConcurrentBag<(string Outcome, TimeSpan Took)>();
        var stopwatch = Stopwatch.StartNew();
        var stopped = Task.Delay(TimeSpan.FromSeconds(2)).ContinueWith(_ => Signal("STOP", hung.Id), TaskScheduler.Default);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async w =>
        {
            for (var i = w * 100_000; stopwatch.Elapsed < TimeSpan.FromSeconds(9); i++)
            {
                var started = Stopwatch.GetTimestamp();
                string outcome;
                try
                {
                    outcome = await cluster.InferAsync(i % 1000);
                }
                catch (TaskCanceledException)
                {
                    outcome = "unanswered";
                }

                latencies.Add((outcome, Stopwatch.GetElapsedTime(started)));
            }
        }));
        await stopped;
        Signal("CONT", hung.Id);

        var slowest = latencies.Max(l => l.Took);
        var counts = latencies.GroupBy(l => l.Outcome).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"{string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}"))}; slowest {slowest.TotalSeconds:0.00} s; over 1 s: {latencies.Count(l => l.Took > TimeSpan.FromSeconds(1))}");
        Assert.Equal(["ok"], counts.Keys);

        // Within the probe's 1 s + 1.5 s and the retry on the survivor; the membership protocol alone took up to 12 s here.
        Assert.True(slowest < TimeSpan.FromSeconds(5), $"a request waited {slowest.TotalSeconds:0.0} s on the stopped node");
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", $"-{signal} {pid}");
        kill.WaitForExit();
    }

    [Fact]
    public async Task SigtermDeviceNode_UnderSteadyLoad_FailsNoRequest()
    {
        await using var cluster = await StartClusterAsync();

        var (counts, _) = await LoadWhileAsync(cluster, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(2), () => ClusterProcesses.Terminate(cluster.Nodes["node-2"]));

        output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}")));
        output.WriteLine(string.Join("\n", cluster.RetryableSamples.Distinct().Take(5)));
        Assert.Equal(["ok"], counts.Keys);
        Assert.True(await WaitForExitAsync(cluster.Nodes["node-2"], TimeSpan.FromSeconds(40)), "node-2 did not leave after SIGTERM");
    }

    private static async Task<ClusterProcesses> StartClusterAsync()
    {
        await RedisServer.EnsureRunningAsync();

        var cluster = new ClusterProcesses();
        try
        {
            cluster.StartGateway();
            cluster.StartNode("node-1");
            cluster.StartNode("node-2");
            await cluster.WaitForDevicesAsync(2);
            return cluster;
        }
        catch
        {
            // Stop the processes already started: left running, they would slow every later test.
            await cluster.DisposeAsync();
            throw;
        }
    }

    // Closed-loop load from 16 clients; `act` runs once, `after` into the run. Counts each request's outcome.
    private static async Task<(Dictionary<string, int> Counts, int Total)> LoadWhileAsync(ClusterProcesses cluster, TimeSpan duration, TimeSpan after, Action act)
    {
        var stopwatch = Stopwatch.StartNew();
        var acted = Task.Delay(after).ContinueWith(_ => act(), TaskScheduler.Default);
        var workers = Enumerable.Range(0, 16).Select(async w =>
        {
            var outcomes = new List<string>();
            for (var i = w * 100_000; stopwatch.Elapsed < duration; i++)
            {
                try
                {
                    outcomes.Add(await cluster.InferAsync(i % 1000));
                }
                catch (TaskCanceledException)
                {
                    // HttpClient's 30 s timeout: the request hung.
                    outcomes.Add("unanswered");
                }
            }

            return outcomes;
        });
        var all = (await Task.WhenAll(workers)).SelectMany(o => o).ToList();
        await acted;
        var counts = all.GroupBy(o => o.StartsWith("wrong", StringComparison.Ordinal) ? "wrong" : o).ToDictionary(g => g.Key, g => g.Count());
        return (counts, all.Count);
    }

    private static async Task<TimeSpan> TimeUntilDevicesAsync(ClusterProcesses cluster, int count)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await cluster.DevicesAsync()).Count == count)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // The directory grain may have been on the killed node: a 503 until it is back.
            }

            await Task.Delay(100);
        }

        return stopwatch.Elapsed;
    }

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
