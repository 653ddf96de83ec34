using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Tracing;

/// <summary>
/// JSON console logs (<c>Logging:Console:FormatterName=json</c>): a request's lines carry its request id and trace id,
/// and a device's lines inside a grain call the request made carry the same trace id.
/// </summary>
[Collection(TracingGatewayCollection.Name)]
public sealed class JsonLogTests(TracingGatewayFixture fixture)
{
    [Fact]
    public async Task Infer_JsonConsoleLogs_CarryRequestIdAndTraceId()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/simple/infer")
        {
            Content = new StringContent("""{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = await LinesAsync(traceId, found => found.Any(l => l.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && l.Message.StartsWith("Request finished", StringComparison.Ordinal)));
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.False(string.IsNullOrEmpty(line.RequestId), $"no RequestId in {line.Json}"));
        Assert.Single(lines.Select(l => l.RequestId).Distinct());
    }

    [Fact]
    public async Task Load_JsonConsoleLogs_DeviceLinesInsideTheGrainCallCarryTheTraceId()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/repository/models/simple/load");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Waits for the load's line itself: a reload also logs the unload before it, which may be captured first.
        var lines = await LinesAsync(traceId, found => found.Any(l => l.Category == "GrainServe.Gpu.GpuGrain" && l.EventId == InstanceLoaded));
        // The GPU grain logged the instance it loaded inside the model grain's call to it, which the gateway's request made.
        var loaded = Assert.Single(lines, l => l.Category == "GrainServe.Gpu.GpuGrain" && l.EventId == InstanceLoaded);
        Assert.Contains("simple", loaded.Message, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && !string.IsNullOrEmpty(l.RequestId));
    }

    // The captured JSON lines of one trace, once `done` holds (10 s at most: the console logger writes on its own thread).
    private async Task<List<LogLine>> LinesAsync(ActivityTraceId traceId, Func<List<LogLine>, bool> done)
    {
        var id = traceId.ToHexString();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var lines = fixture.Console.Lines.Where(l => l.StartsWith('{') && l.Contains(id, StringComparison.Ordinal)).Select(LogLine.Parse).Where(l => l.TraceId == id).ToList();
            if (done(lines) || DateTime.UtcNow > deadline)
            {
                return lines;
            }

            await Task.Delay(50);
        }
    }

    // The grains' EventIds.InstanceLoaded: the JSON formatter writes an event's number, not its name.
    private const int InstanceLoaded = 1103;

    private sealed record LogLine(string Json, string Category, int EventId, string Message, string? TraceId, string? RequestId)
    {
        public static LogLine Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            string? traceId = null, requestId = null;
            if (root.TryGetProperty("Scopes", out var scopes))
            {
                foreach (var scope in scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object))
                {
                    traceId ??= scope.TryGetProperty("TraceId", out var t) ? t.GetString() : null;
                    requestId ??= scope.TryGetProperty("RequestId", out var r) ? r.GetString() : null;
                }
            }

            return new LogLine(json, root.GetProperty("Category").GetString() ?? "", root.GetProperty("EventId").GetInt32(), root.GetProperty("Message").GetString() ?? "", traceId, requestId);
        }
    }
}
