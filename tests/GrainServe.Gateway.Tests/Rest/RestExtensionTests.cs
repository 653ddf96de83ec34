using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;

namespace GrainServe.Gateway.Rest;

[Collection(GatewayCollection.Name)]
public sealed class RestExtensionTests(GatewayFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private static readonly float[] A = [0.1f, -2.75f, 3.3333333f, 1e-7f];
    private static readonly float[] B = [1e10f, 0.2f, -0.3f, 42f];

    private async Task<(HttpStatusCode Status, JsonNode Body)> PostJsonAsync(string path, string? body = null)
    {
        using var response = await Http.PostAsync(path, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private async Task<(JsonNode Header, byte[] Binary, HttpResponseMessage Response)> PostBinaryAsync(string path, string json, params byte[][] binary)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent([.. header, .. binary.SelectMany(b => b)]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await Http.PostAsync(path, content);
        var body = await response.Content.ReadAsByteArrayAsync();
        var length = response.Headers.TryGetValues("Inference-Header-Content-Length", out var values) ? int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture) : body.Length;
        return (JsonNode.Parse(body.AsSpan(0, length))!, body[length..], response);
    }

    [Fact]
    public async Task Infer_BinaryInputsAndOutputs_RoundTripWithHeaderLength()
    {
        const string json = """{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}},{"name":"INPUT1","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}],"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}},{"name":"OUTPUT1","parameters":{"binary_data":false}}]}""";

        var (header, binary, response) = await PostBinaryAsync("/v2/models/add_sub/infer", json, Bytes(A), Bytes(B));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var outputs = header["outputs"]!.AsArray();
        Assert.Equal(16, outputs[0]!["parameters"]!["binary_data_size"]!.GetValue<int>());
        Assert.Null(outputs[0]!["data"]);
        Assert.Equal(A.Zip(B, (a, b) => a + b), MemoryMarshal.Cast<byte, float>(binary).ToArray());
        Assert.Equal(A.Zip(B, (a, b) => a - b), outputs[1]!["data"]!.AsArray().Select(v => v!.GetValue<float>()));
    }

    [Fact]
    public async Task Infer_BinaryDataOutputParameter_MakesEveryOutputBinary()
    {
        var json = """{"parameters":{"binary_data_output":true},"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"BYTES","parameters":{"binary_data_size":11}}]}""";
        byte[] strings = [2, 0, 0, 0, (byte)'h', (byte)'i', 1, 0, 0, 0, (byte)'!'];

        var (header, binary, _) = await PostBinaryAsync("/v2/models/identity_bytes/infer", json, strings);

        Assert.Equal(11, header["outputs"]![0]!["parameters"]!["binary_data_size"]!.GetValue<int>());
        Assert.Equal(strings, binary);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":32}}]}""", "only 16 remain")]
    [InlineData("""{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"FP32","parameters":{"binary_data_size":8}}]}""", "no input's binary_data_size claims")]
    [InlineData("""{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","data":[1,2,3,4],"parameters":{"binary_data_size":16}}]}""", "both")]
    [InlineData("""{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":-1}}]}""", "non-negative integer")]
    public async Task Infer_BadBinaryRequest_Returns400(string json, string expected)
    {
        var (header, _, response) = await PostBinaryAsync("/v2/models/identity_fp32/infer", json, new byte[16]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, header["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_BinaryBodyWithoutContentLength_IsReadWholeAndAnswered()
    {
        // A chunked body has no length to check the header against before reading, so it takes the buffered path.
        const string json = """{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}},{"name":"INPUT1","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}]}""";
        var header = Encoding.UTF8.GetBytes(json);
        using var content = new StreamContent(new UnseekableStream([.. header, .. Bytes(A), .. Bytes(B)]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await Http.PostAsync("/v2/models/add_sub/infer", content);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Null(content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(A.Zip(B, (a, b) => a + b), body["outputs"]![0]!["data"]!.AsArray().Select(v => v!.GetValue<float>()));
    }

    [Theory]
    [InlineData(-1, "'-1' is not a byte count")]
    [InlineData(1000, "is 1000 but the body has")]
    public async Task Infer_HeaderLengthOutsideTheBody_Returns400(int headerLength, string expected)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"inputs":[]}"""));
        content.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", headerLength.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await Http.PostAsync("/v2/models/add_sub/infer", content);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, body["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Infer_SameInputsOverEveryEncoding_GiveBitwiseIdenticalOutputs()
    {
        var jsonBody = $$"""{"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","data":[{{string.Join(',', A.Select(Format))}}]},{"name":"INPUT1","shape":[1,4],"datatype":"FP32","data":[{{string.Join(',', B.Select(Format))}}]}]}""";
        var (restJsonStatus, restJson) = await PostJsonAsync("/v2/models/add_sub/infer", jsonBody);
        var fromRestJson = restJson["outputs"]!.AsArray().Select(o => Bytes(o!["data"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray())).ToArray();

        var binaryJson = """{"parameters":{"binary_data_output":true},"inputs":[{"name":"INPUT0","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}},{"name":"INPUT1","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}]}""";
        var (_, binary, _) = await PostBinaryAsync("/v2/models/add_sub/infer", binaryJson, Bytes(A), Bytes(B));
        var fromRestBinary = new[] { binary[..16], binary[16..] };

        var typed = new ModelInferRequest { ModelName = "add_sub" };
        typed.Inputs.Add(Tensors.Input("INPUT0", "FP32", [1, 4], Tensors.Floats(A)));
        typed.Inputs.Add(Tensors.Input("INPUT1", "FP32", [1, 4], Tensors.Floats(B)));
        var fromGrpcTyped = (await fixture.Grpc.ModelInferAsync(typed)).Outputs.Select(o => Bytes([.. o.Contents.Fp32Contents])).ToArray();

        var raw = new ModelInferRequest { ModelName = "add_sub" };
        raw.Inputs.Add(Tensors.Input("INPUT0", "FP32", [1, 4]));
        raw.Inputs.Add(Tensors.Input("INPUT1", "FP32", [1, 4]));
        raw.RawInputContents.Add(Tensors.Raw(A));
        raw.RawInputContents.Add(Tensors.Raw(B));
        var fromGrpcRaw = (await fixture.Grpc.ModelInferAsync(raw)).RawOutputContents.Select(b => b.ToByteArray()).ToArray();

        Assert.Equal(HttpStatusCode.OK, restJsonStatus);
        for (var o = 0; o < 2; o++)
        {
            Assert.Equal(fromGrpcRaw[o], fromRestJson[o]);
            Assert.Equal(fromGrpcRaw[o], fromRestBinary[o]);
            Assert.Equal(fromGrpcRaw[o], fromGrpcTyped[o]);
        }
    }

    [Fact]
    public async Task Repository_IndexListsEveryModelWithState()
    {
        var (status, body) = await PostJsonAsync("/v2/repository/index", "{}");
        var (_, readyOnly) = await PostJsonAsync("/v2/repository/index", """{"ready":true}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var entries = body.AsArray();
        Assert.Contains(entries, e => e!["name"]!.GetValue<string>() == "simple" && e["state"]!.GetValue<string>() == "READY" && e["version"]!.GetValue<string>() == "1");
        Assert.Contains(entries, e => e!["name"]!.GetValue<string>() == "broken" && e["state"]!.GetValue<string>() == "UNAVAILABLE" && e["reason"] is not null);
        Assert.DoesNotContain(readyOnly.AsArray(), e => e!["name"]!.GetValue<string>() == "broken");
    }

    [Fact]
    public async Task Repository_UnloadThenInferThenLoadWithConfig_OverRest()
    {
        const string infer = """{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""";

        var (unloadStatus, _) = await PostJsonAsync("/v2/repository/models/reload_rest/unload");
        var (whileUnloaded, error) = await PostJsonAsync("/v2/models/reload_rest/infer", infer);
        using var notReady = await Http.GetAsync("/v2/models/reload_rest/ready");
        var (loadStatus, _) = await PostJsonAsync("/v2/repository/models/reload_rest/load", """{"parameters":{"config":"{\"max_batch_size\": 2}"}}""");
        var (afterLoad, answer) = await PostJsonAsync("/v2/models/reload_rest/infer", infer);
        using var configResponse = await Http.GetAsync("/v2/models/reload_rest/config");
        var config = JsonNode.Parse(await configResponse.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, unloadStatus);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileUnloaded);
        Assert.Contains("unloaded", error["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal(HttpStatusCode.OK, loadStatus);
        Assert.Equal(HttpStatusCode.OK, afterLoad);
        Assert.Equal([3f, 6f], answer["outputs"]![0]!["data"]!.AsArray().Select(v => v!.GetValue<float>()));
        Assert.Equal(2, config["max_batch_size"]!.GetValue<int>());
        Assert.Equal("TYPE_FP32", config["input"]![0]!["data_type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v2/repository/models/nope/load", "{}", HttpStatusCode.NotFound)]
    [InlineData("/v2/repository/models/nope/unload", null, HttpStatusCode.NotFound)]
    [InlineData("/v2/repository/models/broken/load", "{}", HttpStatusCode.BadRequest)]
    [InlineData("/v2/repository/models/simple/load", """{"parameters":{"config":"{ not json"}}""", HttpStatusCode.BadRequest)]
    [InlineData("/v2/repository/models/simple/load", """{"parameters":{"config":7}}""", HttpStatusCode.BadRequest)]
    [InlineData("/v2/repository/index", "[1]", HttpStatusCode.BadRequest)]
    public async Task Repository_BadRequest_ReturnsErrorStatus(string path, string? body, HttpStatusCode expected)
    {
        var (status, response) = await PostJsonAsync(path, body);
        Assert.Equal(expected, status);
        Assert.False(string.IsNullOrEmpty(response["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Statistics_AfterInference_UseTritonFieldNames()
    {
        await PostJsonAsync("/v2/models/identity_uint8/infer", """{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"UINT8","data":[7]}]}""");

        using var response = await Http.GetAsync("/v2/models/identity_uint8/versions/1/stats");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        using var all = await Http.GetAsync("/v2/models/stats");
        var allBody = JsonNode.Parse(await all.Content.ReadAsStringAsync())!;

        var stats = Assert.Single(body["model_stats"]!.AsArray())!;
        Assert.Equal("identity_uint8", stats["name"]!.GetValue<string>());
        Assert.True(stats["inference_count"]!.GetValue<long>() >= 1);
        Assert.True(stats["inference_stats"]!["success"]!["count"]!.GetValue<long>() >= 1);
        Assert.True(stats["inference_stats"]!["compute_infer"]!["ns"]!.GetValue<long>() > 0);
        Assert.Equal(1, stats["batch_stats"]![0]!["batch_size"]!.GetValue<int>());
        Assert.Contains(allBody["model_stats"]!.AsArray(), m => m!["name"]!.GetValue<string>() == "simple");
    }

    [Fact]
    public async Task Config_UnknownModel_Returns404()
    {
        using var response = await Http.GetAsync("/v2/models/nope/config");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static string Format(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    // A stream that cannot say its length, so HttpClient sends the body chunked.
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
