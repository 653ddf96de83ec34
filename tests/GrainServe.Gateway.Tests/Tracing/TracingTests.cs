using System.Diagnostics;
using System.Net;
using System.Text;
using Google.Protobuf;
using GrainServe.Telemetry;
using GrainServe.TestSupport;
using Grpc.Core;
using Xunit.Abstractions;

namespace GrainServe.Gateway.Tracing;

/// <summary>
/// One request's spans, from the client's <c>traceparent</c> to the device's queue and compute, over REST and gRPC;
/// and the same spans arriving at an OTLP/HTTP endpoint through the exporter the standard variables configure.
/// </summary>
[Collection(TracingGatewayCollection.Name)]
public sealed class TracingTests(TracingGatewayFixture fixture, ITestOutputHelper output)
{
    private const string SimpleBody = """
        {"id":"%ID%","inputs":[
          {"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},
          {"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}
        """;

    [Fact]
    public async Task Infer_RestWithTraceparent_ContinuesTheClientTraceToTheDevice()
    {
        var (traceId, clientSpan) = NewClientContext();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/simple/infer") { Content = new StringContent(SimpleBody.Replace("%ID%", "traced-rest"), Encoding.UTF8, "application/json") };
        request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");

        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tree = await TraceTree.WaitAsync(fixture.Spans.Snapshot, traceId);
        output.WriteLine(tree.ToString());
        var http = tree.Single(s => s.Source.Name == "Microsoft.AspNetCore", "ASP.NET Core span");
        Assert.Equal(clientSpan, http.ParentSpanId);
        Assert.Equal(ActivityKind.Server, http.Kind);
        AssertDevicePath(tree, http, "traced-rest");
    }

    [Fact]
    public async Task ModelInfer_GrpcWithTraceparent_ContinuesTheClientTraceToTheDevice()
    {
        var (traceId, clientSpan) = NewClientContext();

        await fixture.Grpc.ModelInferAsync(Tensors.Simple("traced-grpc"), new Metadata { { "traceparent", $"00-{traceId}-{clientSpan}-01" } });

        var tree = await TraceTree.WaitAsync(fixture.Spans.Snapshot, traceId);
        output.WriteLine(tree.ToString());
        var http = tree.Single(s => s.Source.Name == "Microsoft.AspNetCore", "ASP.NET Core span");
        Assert.Equal(clientSpan, http.ParentSpanId);
        AssertDevicePath(tree, http, "traced-grpc");
    }

    [Fact]
    public async Task Generate_RestWithTraceparent_TracesTheSequenceQueueAndDecode()
    {
        var (traceId, clientSpan) = NewClientContext();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/tiny_llama/generate")
        {
            Content = new StringContent("""{"text_input":"The weather today","parameters":{"max_tokens":3,"temperature":0}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");

        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tree = await TraceTree.WaitAsync(fixture.Spans.Snapshot, traceId);
        output.WriteLine(tree.ToString());
        var http = tree.Single(s => s.Source.Name == "Microsoft.AspNetCore", "ASP.NET Core span");
        var infer = tree.Single(TelemetryNames.InferRequestSpan, http.SpanId);
        tree.Single(TelemetryNames.RouteSpan, infer.SpanId);
        var sequence = tree.Single(s => s.DisplayName == "tiny_llama" && s.Source.Name == TelemetryNames.ActivitySourceName, "the sequence's span");
        Assert.True(IsBelow(tree, sequence, infer), $"the sequence's span is not under the request's:\n{tree}");
        tree.Single(TelemetryNames.QueueSpan, sequence.SpanId);
        var decode = tree.Single(TelemetryNames.DecodeSpan, sequence.SpanId);
        Assert.Equal(3, Convert.ToInt32(decode.GetTagItem(TelemetryNames.CompletionTokens), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Transcription_RestWithTraceparent_TracesTheAudioAndTheWindows()
    {
        var (traceId, clientSpan) = NewClientContext();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/transcriptions")
        {
            Content = new MultipartFormDataContent
            {
                { new ByteArrayContent(ToneWav.Create(1.5, 440)), "file", "tone.wav" },
                { new StringContent(GatewayFixture.Whisper), "model" },
                { new StringContent("0"), "temperature" },
            },
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var tree = await TraceTree.WaitAsync(fixture.Spans.Snapshot, traceId);
        output.WriteLine(tree.ToString());
        var model = tree.Single(s => s.DisplayName == GatewayFixture.Whisper && s.GetTagItem(TelemetryNames.Device) is not null, "the transcription's span on its device");
        Assert.StartsWith("trace-test/", (string)model.GetTagItem(TelemetryNames.Device)!);
        Assert.Equal(1.5, (double)model.GetTagItem(TelemetryNames.AudioSeconds)!, 3);
        var audio = tree.Single(TelemetryNames.AudioSpan, model.SpanId);
        var transcribe = tree.Single(TelemetryNames.TranscribeSpan, model.SpanId);
        Assert.True(audio.StartTimeUtc + audio.Duration <= transcribe.StartTimeUtc + TimeSpan.FromMilliseconds(1));
        Assert.Equal(GatewayFixture.Whisper, transcribe.GetTagItem(TelemetryNames.ModelName));
        Assert.Equal(ActivityStatusCode.Unset, model.Status);
    }

    [Fact]
    public async Task Infer_OtlpHttpEndpointConfigured_ReceivesTheRequestSpansAsProtobuf()
    {
        var (traceId, clientSpan) = NewClientContext();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/simple/infer") { Content = new StringContent(SimpleBody.Replace("%ID%", "traced-otlp"), Encoding.UTF8, "application/json") };
        request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await TraceTree.WaitAsync(fixture.Spans.Snapshot, traceId);

        var expected = ByteString.CopyFrom(Convert.FromHexString(traceId.ToHexString()));
        var received = new List<(string Service, Otlp.Span Span)>();
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline && !received.Any(s => s.Span.Name == "compute"); await Task.Delay(100))
        {
            fixture.Flush();
            received = fixture.Otlp.Spans().Where(s => s.Span.TraceId == expected).ToList();
        }

        var names = received.Select(s => s.Span.Name).ToHashSet();
        output.WriteLine(string.Join(", ", names));
        Assert.Superset(new HashSet<string> { TelemetryNames.InferRequestSpan, TelemetryNames.RouteSpan, "simple", TelemetryNames.QueueSpan, TelemetryNames.ComputeSpan }, names);
        Assert.All(received, s => Assert.Equal(TracingGatewayFixture.ServiceName, s.Service));
        Assert.Contains("application/x-protobuf", fixture.Otlp.ContentTypes);
        var http = received.Single(s => s.Span.ParentSpanId == ByteString.CopyFrom(Convert.FromHexString(clientSpan.ToHexString())));
        Assert.Equal(2, http.Span.Kind); // SPAN_KIND_SERVER
        var compute = received.Single(s => s.Span.Name == TelemetryNames.ComputeSpan).Span;
        Assert.Contains(compute.Attributes, a => a.Key == TelemetryNames.BatchSize && a.Value.IntValue >= 1);
        Assert.Contains(compute.Events, e => e.Name == TelemetryNames.ComputeEnd);
        Assert.Single(compute.Links);
    }

    // The path below the host's span: router, grain call, and the device's spans, all within the client's trace.
    private void AssertDevicePath(TraceTree tree, Activity http, string requestId)
    {
        var infer = tree.Single(TelemetryNames.InferRequestSpan, http.SpanId);
        Assert.Equal("simple", infer.GetTagItem(TelemetryNames.ModelName));
        Assert.Equal("1", infer.GetTagItem(TelemetryNames.ModelVersion));
        Assert.Equal(requestId, infer.GetTagItem(TelemetryNames.RequestId));

        var route = tree.Single(TelemetryNames.RouteSpan, infer.SpanId);
        Assert.Equal("1", route.GetTagItem(TelemetryNames.ModelVersion));
        var device = Assert.IsType<string>(route.GetTagItem(TelemetryNames.Device));
        Assert.StartsWith("trace-test/", device);
        Assert.NotNull(route.GetTagItem(TelemetryNames.InstanceId));

        // The device is this process's own, so the router runs the request on its instance without a grain call
        // (LocalInstances): the device's spans sit right under the request's.
        Assert.DoesNotContain(tree.Spans, s => s.DisplayName.Contains("IGpuGrain/Infer", StringComparison.Ordinal) && IsBelow(tree, s, infer));
        var model = tree.Single("simple", infer.SpanId);
        Assert.Equal(device, model.GetTagItem(TelemetryNames.Device));
        Assert.Equal("1", model.GetTagItem(TelemetryNames.ModelVersion));
        Assert.Equal([TelemetryNames.RequestStart, TelemetryNames.QueueStart, TelemetryNames.RequestEnd], model.Events.Select(e => e.Name));

        var queue = tree.Single(TelemetryNames.QueueSpan, model.SpanId);
        var compute = tree.Single(TelemetryNames.ComputeSpan, model.SpanId);
        Assert.True(queue.StartTimeUtc <= compute.StartTimeUtc);
        Assert.Equal(device, compute.GetTagItem(TelemetryNames.Device));
        Assert.Equal("simple", compute.GetTagItem(TelemetryNames.ModelName));
        Assert.True((int)compute.GetTagItem(TelemetryNames.BatchSize)! >= 1);
        Assert.Equal([TelemetryNames.ComputeStart, TelemetryNames.ComputeInputEnd, TelemetryNames.ComputeOutputStart, TelemetryNames.ComputeEnd], compute.Events.Select(e => e.Name));

        // The batch is a trace of its own, linked both ways with the request.
        var link = Assert.Single(compute.Links);
        var batch = fixture.Spans.Snapshot().FirstOrDefault(s => s.TraceId == link.Context.TraceId && s.SpanId == link.Context.SpanId);
        Assert.NotNull(batch);
        Assert.NotEqual(model.TraceId, batch.TraceId);
        Assert.Equal(TelemetryNames.BatchSpan, batch.DisplayName);
        Assert.Equal(default, batch.ParentSpanId);
        Assert.Contains(batch.Links, l => l.Context.SpanId == model.SpanId && l.Context.TraceId == model.TraceId);
        Assert.Equal(compute.GetTagItem(TelemetryNames.BatchSize), batch.GetTagItem(TelemetryNames.BatchSize));
    }

    private static bool IsBelow(TraceTree tree, Activity span, Activity ancestor)
    {
        for (var parent = span.ParentSpanId; parent != default;)
        {
            if (parent == ancestor.SpanId)
            {
                return true;
            }

            parent = tree.Spans.FirstOrDefault(s => s.SpanId == parent)?.ParentSpanId ?? default;
        }

        return false;
    }

    private static (ActivityTraceId TraceId, ActivitySpanId SpanId) NewClientContext() => (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
}
