using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GrainServe.ModelBuilder;

namespace GrainServe.Bench;

/// <summary>
/// Deadline scheduling under overload. One embedded-default process serves a compute-bound encoder (one instance,
/// batches of up to 4). Each round first measures what the instance serves (closed loop), then offers
/// <paramref name="overload"/> times that, open loop (requests sent on a fixed schedule, whatever the answers), half
/// with a tight deadline and half with a loose one, in three arms side by side: the deadline sent in the
/// <c>x-request-deadline-ms</c> header (the queue orders by it and fails, unrun, what cannot meet it); the same
/// requests without the header, the client giving up at its deadline (its cancellation takes a waiting request out of
/// the queue); and without the header, the client waiting for every answer. A request counts as answered in time when
/// a 200 arrives within its deadline.
/// </summary>
internal sealed class DeadlineScenario(TimeSpan duration, int roundCount, bool smoke, double overload)
{
    private const string Model = "encoder_deadlines";
    private const int Sequence = 8;
    private const int Hidden = 128;
    private const int MaxBatch = 4;

    private static readonly string[] Arms = ["deadlines sent", "ignored, client gives up", "ignored, client waits"];

    private readonly BenchRepository _repository = new();

    public async Task<DeadlineReport> RunAsync()
    {
        using (_repository)
        {
            _repository.Write(Model, SampleModels.Encoder(layers: smoke ? 2 : 24, Sequence, Hidden, ffn: 2048),
                $$"""{ "max_batch_size": {{MaxBatch}}, "dynamic_batching": { "max_queue_delay_microseconds": 1000 } }""");
            await using var server = await ServerProcess.StartAsync($"--ModelRepository:Path={_repository.Root}");
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}"), Timeout = Timeout.InfiniteTimeSpan };
            var body = Body();

            // Warm: the session's first runs and the connections.
            await SendAsync(http, body, null, CancellationToken.None);
            var results = new List<DeadlineArm>();
            var rounds = new List<DeadlineRound>();
            for (var round = 0; round < roundCount; round++)
            {
                // What the instance serves now (this machine's other load moves it): closed loop, enough callers to
                // keep its batches full. Each round offers overload times that.
                var calibration = await LoadGenerator.RunAsync(4 * MaxBatch, smoke ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(4), async _ =>
                {
                    var (status, _) = await SendAsync(http, body, null, CancellationToken.None);
                    return status == HttpStatusCode.OK ? 1 : throw new InvalidOperationException($"calibration answered {status}");
                });
                var capacity = calibration.Requests / calibration.Elapsed.TotalSeconds;
                var batchMs = 1000.0 * MaxBatch / capacity;

                // Tight: a few full batches' time, which an idle instance meets easily; loose: five times that.
                var tight = TimeSpan.FromMilliseconds(Math.Max(20, Math.Round(5 * batchMs)));
                var loose = tight * 5;
                var rate = capacity * overload;
                rounds.Add(new DeadlineRound(capacity, rate, tight, loose));
                Console.Error.WriteLine($"round {round + 1}: capacity {capacity:F0} requests/s (a batch of {MaxBatch} in about {batchMs:F1} ms); offering {rate:F0}/s; deadlines {tight.TotalMilliseconds} ms and {loose.TotalMilliseconds} ms");

                // Rotated over the rounds, so no arm always runs first after the calibration.
                var order = Arms.Skip(round % Arms.Length).Concat(Arms.Take(round % Arms.Length));
                foreach (var arm in order)
                {
                    await DrainAsync(http, server);
                    var (rowsBefore, batchesBefore) = await server.CountsAsync(http, Model);
                    var outcomes = await OfferAsync(http, body, arm, rate, tight, loose);
                    await DrainAsync(http, server);
                    var (rowsAfter, batchesAfter) = await server.CountsAsync(http, Model);
                    var result = new DeadlineArm(arm, round, outcomes, rowsAfter - rowsBefore, batchesAfter - batchesBefore);
                    Console.Error.WriteLine($"round {round + 1}, {arm}: {result.InTimeShare:P1} in time ({result.Share(tight: true):P1} tight, {result.Share(tight: false):P1} loose), {result.RowsRun} rows run");
                    results.Add(result);
                }
            }

            return new DeadlineReport(rounds, overload, duration, results);
        }
    }

    // Sends at a fixed rate for the arm's duration and waits for every answer (or give-up).
    private async Task<List<DeadlineOutcome>> OfferAsync(HttpClient http, string body, string arm, double rate, TimeSpan tight, TimeSpan loose)
    {
        var sendDeadline = arm == Arms[0];
        var givesUp = arm != Arms[2];
        var calls = new List<Task<DeadlineOutcome>>();
        var clock = Stopwatch.StartNew();
        var total = (int)(rate * duration.TotalSeconds);
        while (calls.Count < total)
        {
            var due = (int)Math.Min(total, Math.Floor(clock.Elapsed.TotalSeconds * rate) + 1);
            while (calls.Count < due)
            {
                var isTight = calls.Count % 2 == 0;
                calls.Add(CallAsync(http, body, isTight, isTight ? tight : loose, sendDeadline, givesUp));
            }

            await Task.Delay(1);
        }

        return [.. await Task.WhenAll(calls)];
    }

    private static async Task<DeadlineOutcome> CallAsync(HttpClient http, string body, bool tight, TimeSpan deadline, bool sendDeadline, bool givesUp)
    {
        var started = Stopwatch.GetTimestamp();
        using var giveUp = givesUp ? new CancellationTokenSource(deadline) : new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            var (status, _) = await SendAsync(http, body, sendDeadline ? deadline : null, giveUp.Token);
            var elapsed = Stopwatch.GetElapsedTime(started);
            return new DeadlineOutcome(tight, status, elapsed, status == HttpStatusCode.OK && elapsed <= deadline, GaveUp: false);
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            return new DeadlineOutcome(tight, 0, Stopwatch.GetElapsedTime(started), InTime: false, GaveUp: true);
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, string body, TimeSpan? deadline, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{Model}/infer") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (deadline is { } d)
        {
            request.Headers.Add("x-request-deadline-ms", ((long)d.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        using var response = await http.SendAsync(request, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    // Waits until the instance has nothing queued or running, so an arm does not start on another's backlog.
    private static async Task DrainAsync(HttpClient http, ServerProcess server)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var instances = JsonNode.Parse(await http.GetStringAsync($"/v2/models/{Model}/instances"))!["instances"]!.AsArray();
            if (instances.All(i => i!["pending"]!.GetValue<int>() == 0))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"model {Model} on port {server.HttpPort} still had requests pending after 2 minutes");
    }

    private static string Body()
    {
        var random = new Random(11);
        var values = string.Join(',', Enumerable.Range(0, Sequence * Hidden).Select(_ => ((random.Next(200) - 100) / 100.0).ToString(CultureInfo.InvariantCulture)));
        return $$"""{"inputs":[{"name":"INPUT0","shape":[1,{{Sequence}},{{Hidden}}],"datatype":"FP32","data":[{{values}}]}]}""";
    }
}
