using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Rest;

[Collection(GatewayCollection.Name)]
public sealed class RestApiTests(GatewayFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private static readonly string SimpleBody = """
        {"id":"my-request","inputs":[
          {"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},
          {"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]]}]}
        """;

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(text)!);
    }

    private Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    private Task<(HttpStatusCode Status, JsonNode Body)> InferAsync(string model, string body) => SendAsync(HttpMethod.Post, $"/v2/models/{model}/infer", body);

    [Fact]
    public async Task Health_LiveAndReady_Return200()
    {
        var (liveStatus, live) = await GetAsync("/v2/health/live");
        var (readyStatus, ready) = await GetAsync("/v2/health/ready");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.True(live["live"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.True(ready["ready"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("/v2")]
    [InlineData("/v2/")]
    public async Task ServerMetadata_BothPaths_NameVersionAndOnlyImplementedExtensions(string path)
    {
        var (status, body) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("grainserve", body["name"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["version"]!.GetValue<string>()));
        Assert.Equal(["binary_tensor_data", "model_repository", "statistics", "model_configuration"], body["extensions"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    [Fact]
    public async Task ModelMetadata_SampleModel_ListsTensorsWithBatchDimension()
    {
        var (status, body) = await GetAsync("/v2/models/simple");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("simple", body["name"]!.GetValue<string>());
        Assert.Equal("onnxruntime_onnx", body["platform"]!.GetValue<string>());
        Assert.Equal(["1"], body["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        var input = body["inputs"]![0]!;
        Assert.Equal("INPUT0", input["name"]!.GetValue<string>());
        Assert.Equal("INT32", input["datatype"]!.GetValue<string>());
        Assert.Equal([-1L, 16L], input["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        Assert.Equal(["OUTPUT0", "OUTPUT1"], body["outputs"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ModelMetadata_AutoCompletedModel_TakesTensorsFromTheOnnxFile()
    {
        var (status, body) = await GetAsync("/v2/models/identity_int8");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("INT8", body["inputs"]![0]!["datatype"]!.GetValue<string>());
        Assert.Equal([-1L, -1L], body["inputs"]![0]!["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
    }

    [Fact]
    public async Task ModelMetadata_Version_ReturnsThatVersion()
    {
        var (status, body) = await GetAsync("/v2/models/scale/versions/1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["1"], body["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Theory]
    [InlineData("/v2/models/no_such_model")]
    [InlineData("/v2/models/simple/versions/7")]
    [InlineData("/v2/models/simple/versions/abc")]
    [InlineData("/v2/models/no_such_model/ready")]
    public async Task ModelMetadataOrReady_UnknownModelOrVersion_Returns404WithError(string path)
    {
        var (status, body) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(string.IsNullOrEmpty(body["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ModelReady_LoadedModel_IsReady()
    {
        var (status, body) = await GetAsync("/v2/models/simple/versions/1/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body["ready"]!.GetValue<bool>());
        Assert.Equal("simple", body["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task BrokenModel_IsNotReadyWithReasonAndInferIs503()
    {
        var (readyStatus, ready) = await GetAsync("/v2/models/broken/ready");
        var (metaStatus, metadata) = await GetAsync("/v2/models/broken");
        var (inferStatus, infer) = await InferAsync("broken", """{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"FP32","data":[1]}]}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.False(ready["ready"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, metaStatus);
        Assert.Equal("UNAVAILABLE", metadata["state"]!.GetValue<string>());
        Assert.Contains("not a valid model configuration", metadata["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, inferStatus);
        Assert.Contains("not a valid model configuration", infer["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_SimpleModel_ReturnsSumAndDifferenceAndEchoesId()
    {
        var (status, body) = await InferAsync("simple", SimpleBody);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("simple", body["model_name"]!.GetValue<string>());
        Assert.Equal("1", body["model_version"]!.GetValue<string>());
        Assert.Equal("my-request", body["id"]!.GetValue<string>());
        var outputs = body["outputs"]!.AsArray();
        Assert.Equal(Enumerable.Range(2, 16), outputs[0]!["data"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal(Enumerable.Range(0, 16), outputs[1]!["data"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal([1L, 16L], outputs[1]!["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        Assert.Equal("INT32", outputs[0]!["datatype"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_OutputsSelected_ReturnsOnlyThoseAndAcceptsParameters()
    {
        var body = SimpleBody.TrimEnd()[..^1] + ""","parameters":{"priority":1,"tag":"x","flag":true},"outputs":[{"name":"OUTPUT1","parameters":{}}]}""";
        var (status, response) = await InferAsync("simple", body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("OUTPUT1", Assert.Single(response["outputs"]!.AsArray())!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_SpecificVersion_UsesThatVersion()
    {
        const string body = """{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"FP32","data":[1.5,2]}]}""";
        var (_, v1) = await SendAsync(HttpMethod.Post, "/v2/models/scale/versions/1/infer", body);
        var (_, latest) = await InferAsync("scale", body);

        Assert.Equal([1.5f, 2f], v1["outputs"]![0]!["data"]!.AsArray().Select(v => v!.GetValue<float>()));
        Assert.Equal("2", latest["model_version"]!.GetValue<string>());
        Assert.Equal([3f, 4f], latest["outputs"]![0]!["data"]!.AsArray().Select(v => v!.GetValue<float>()));
    }

    [Theory]
    [InlineData("BOOL", "[true,false,true]")]
    [InlineData("UINT8", "[0,128,255]")]
    [InlineData("UINT16", "[0,1000,65535]")]
    [InlineData("UINT32", "[0,70000,4294967295]")]
    [InlineData("UINT64", "[0,1,18446744073709551615]")]
    [InlineData("INT8", "[-128,0,127]")]
    [InlineData("INT16", "[-32768,0,32767]")]
    [InlineData("INT32", "[-2147483648,0,2147483647]")]
    [InlineData("INT64", "[-9223372036854775808,0,9223372036854775807]")]
    [InlineData("FP16", "[-2,0.5,65504]")]
    [InlineData("BF16", "[-2,0.5,3.140625]")]
    [InlineData("FP32", "[-1.5,0,3.4028235E+38]")]
    [InlineData("FP64", "[-1.5,0,1.7976931348623157E+308]")]
    [InlineData("BYTES", "[\"a\",\"\",\"héllo ☃\"]")]
    public async Task Infer_EveryDatatype_RoundTripsThroughIdentityModel(string datatype, string data)
    {
        var model = "identity_" + datatype.ToLowerInvariant();
        var shape = datatype == "FP64" ? "[3,1]" : "[1,3]";
        var (status, body) = await InferAsync(model, $$"""{"inputs":[{"name":"INPUT0","shape":{{shape}},"datatype":"{{datatype}}","data":{{data}}}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var output = body["outputs"]![0]!;
        Assert.Equal(datatype, output["datatype"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(data), output["data"]), $"{datatype}: sent {data}, got {output["data"]!.ToJsonString()}");
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadRequests => new()
    {
        { "simple", "{not json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "simple", "[1,2]", HttpStatusCode.BadRequest, "must be a JSON object" },
        { "simple", "{}", HttpStatusCode.BadRequest, "\"inputs\" array" },
        { "simple", """{"inputs":[]}""", HttpStatusCode.BadRequest, "\"inputs\" is empty" },
        { "simple", """{"id":5,"inputs":[]}""", HttpStatusCode.BadRequest, "\"id\" must be a string" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""", HttpStatusCode.BadRequest, "has datatype FP32; model 'simple' takes INT32" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"COMPLEX","data":[]}]}""", HttpStatusCode.BadRequest, "unknown datatype 'COMPLEX'" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,15],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""", HttpStatusCode.BadRequest, "expects [-1,16]" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}""", HttpStatusCode.BadRequest, "shape [1,16] needs 16" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[9223372036854775807,16],"datatype":"INT32","data":[1]}]}""", HttpStatusCode.BadRequest, "overflows" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,-16],"datatype":"INT32","data":[1]}]}""", HttpStatusCode.BadRequest, "non-negative integers" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}]}""", HttpStatusCode.BadRequest, "needs input 'INPUT1'" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]},{"name":"EXTRA","shape":[1],"datatype":"INT32","data":[1]}]}""", HttpStatusCode.BadRequest, "has no input 'EXTRA'" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}]}""", HttpStatusCode.BadRequest, "appears more than once" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[9,16],"datatype":"INT32","data":[]}]}""", HttpStatusCode.BadRequest, "batch size 9" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"INT32","data":["x"]}]}""", HttpStatusCode.BadRequest, "is not a valid INT32 value" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"INT32","data":[1.5]}]}""", HttpStatusCode.BadRequest, "is not a valid INT32 value" },
        { "identity_uint8", """{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"UINT8","data":[256]}]}""", HttpStatusCode.BadRequest, "is not a valid UINT8 value" },
        { "identity_bool", """{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"BOOL","data":[1]}]}""", HttpStatusCode.BadRequest, "is not a valid BOOL value" },
        { "identity_bytes", """{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"BYTES","data":[7]}]}""", HttpStatusCode.BadRequest, "BYTES data are JSON strings" },
        { "simple", """{"inputs":[{"shape":[1],"datatype":"INT32","data":[1]}]}""", HttpStatusCode.BadRequest, "non-empty string \"name\"" },
        { "simple", """{"inputs":[{"name":"INPUT0","datatype":"INT32","data":[1]}]}""", HttpStatusCode.BadRequest, "\"shape\" array" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1],"datatype":"INT32"}]}""", HttpStatusCode.BadRequest, "has no \"data\"" },
        { "simple", """{"inputs":[{"name":"INPUT0","shape":[1],"datatype":"INT32","data":[1]}],"outputs":"OUTPUT0"}""", HttpStatusCode.BadRequest, "\"outputs\" must be an array" },
        { "simple", """{"parameters":[1],"inputs":[{"name":"INPUT0","shape":[1],"datatype":"INT32","data":[1]}]}""", HttpStatusCode.BadRequest, "must be a JSON object" },
        { "no_such_model", """{"inputs":[{"name":"INPUT0","shape":[1],"datatype":"INT32","data":[1]}]}""", HttpStatusCode.NotFound, "'no_such_model' is not in the repository" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Infer_BadInput_ReturnsProtocolErrorWithStatus(string model, string body, HttpStatusCode expectedStatus, string expectedMessage)
    {
        var (status, response) = await InferAsync(model, body);

        Assert.Equal(expectedStatus, status);
        Assert.Contains(expectedMessage, response["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_UnknownOutputRequested_Returns400()
    {
        var body = SimpleBody.TrimEnd()[..^1] + ""","outputs":[{"name":"OUTPUT9"}]}""";
        var (status, response) = await InferAsync("simple", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("has no output 'OUTPUT9'", response["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_UnknownVersion_Returns404()
    {
        var (status, response) = await SendAsync(HttpMethod.Post, "/v2/models/simple/versions/3/infer", SimpleBody);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no version 3", response["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_EmptyBody_Returns400()
    {
        using var response = await Http.PostAsync("/v2/models/simple/infer", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("body is empty", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Infer_BodyOverTheLimit_Returns413()
    {
        var data = string.Join(',', Enumerable.Repeat("1", (int)GatewayFixture.MaxRequestBytes / 2));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/identity_fp32/infer")
        {
            Content = new StringContent($$"""{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"FP32","data":[{{data}}]}]}""", Encoding.UTF8, "application/json"),
        };

        // Expect: 100-continue lets the server refuse by Content-Length before the body is sent; without it the
        // server's early 413 and close can race the client's upload into a broken pipe.
        request.Headers.ExpectContinue = true;
        using var response = await Http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than the server's limit", body["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownPath_Returns404WithError()
    {
        var (status, body) = await GetAsync("/v2/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no endpoint", body["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_200ConcurrentRequestsWithDistinctInputs_EachGetsItsOwnAnswer()
    {
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            var body = $$"""{"id":"r{{i}}","inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","data":[{{i}},{{i + 1}},{{i + 2}},{{i + 3}}]},{"name":"INPUT1","shape":[1,4],"datatype":"FP32","data":[1,1,1,1]}]}""";
            var (status, response) = await InferAsync("add_sub", body);
            return (i, status, response);
        });

        foreach (var (i, status, response) in await Task.WhenAll(tasks))
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal($"r{i}", response["id"]!.GetValue<string>());
            Assert.Equal([i + 1f, i + 2f, i + 3f, i + 4f], response["outputs"]![0]!["data"]!.AsArray().Select(v => v!.GetValue<float>()));
            Assert.Equal([i - 1f, i, i + 1f, i + 2f], response["outputs"]![1]!["data"]!.AsArray().Select(v => v!.GetValue<float>()));
        }
    }

    [Fact]
    public async Task Dashboard_OnMetricsPort_ServesTheOrleansDashboard()
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync($"http://127.0.0.1:{fixture.MetricsPort}/dashboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("html", response.Content.Headers.ContentType?.MediaType ?? "");
    }

    [Fact]
    public async Task Metrics_AfterInference_ExportsBatchSizeForTheModel()
    {
        await InferAsync("simple", SimpleBody);

        using var metrics = new HttpClient();
        var text = await metrics.GetStringAsync($"http://127.0.0.1:{fixture.MetricsPort}/metrics");

        Assert.Contains("grainserve_batch_size", text);
        Assert.Contains("model=\"simple\"", text);
    }

    [Fact]
    public async Task Metrics_CountEachBatchOnce()
    {
        // Without dynamic batching every request is a batch of its own: 5 requests, 5 batches, 5 rows.
        for (var i = 0; i < 5; i++)
        {
            var (status, _) = await InferAsync("metrics_count", """{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""");
            Assert.Equal(HttpStatusCode.OK, status);
        }

        using var metrics = new HttpClient();
        var lines = (await metrics.GetStringAsync($"http://127.0.0.1:{fixture.MetricsPort}/metrics")).Split('\n');
        var count = lines.Single(l => l.StartsWith("grainserve_batch_size_count{", StringComparison.Ordinal) && l.Contains("model=\"metrics_count\"", StringComparison.Ordinal));
        var sum = lines.Single(l => l.StartsWith("grainserve_batch_size_sum{", StringComparison.Ordinal) && l.Contains("model=\"metrics_count\"", StringComparison.Ordinal));

        Assert.EndsWith(" 5", count);
        Assert.EndsWith(" 5", sum);
    }

    [Fact]
    public async Task Metrics_NodeAutoscalingGauges_SayOneDeviceSiloAndWantOne()
    {
        using var metrics = new HttpClient();
        var lines = (await metrics.GetStringAsync($"http://127.0.0.1:{fixture.MetricsPort}/metrics")).Split('\n');

        // The embedded default is one silo with one CPU device, far from full and idle between tests.
        // The registry's static silo label is the first host's of this test process (a process is one silo outside tests).
        Assert.Contains(lines, l => l.StartsWith("grainserve_device_silos{silo=\"", StringComparison.Ordinal) && l.EndsWith("} 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("grainserve_desired_device_silos{silo=\"", StringComparison.Ordinal) && l.EndsWith("} 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("grainserve_unplaced_bytes{silo=\"", StringComparison.Ordinal));
    }
}
