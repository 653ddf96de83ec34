using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;
using Google.Protobuf;

namespace GrainServe.Gateway.Embeddings;

[Collection(GatewayCollection.Name)]
[Trait("Category", "RealModel")]
public sealed class EmbeddingApiTests(GatewayFixture fixture)
{
    private async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string path, string body)
    {
        using var response = await fixture.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static float[] Vector(JsonNode node) => node.AsArray().Select(v => v!.GetValue<float>()).ToArray();

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Fact]
    public async Task OpenAiEmbeddings_ArrayInput_ReturnsNormalizedEmbeddingsWithUsage()
    {
        var (status, body) = await PostAsync("/v1/embeddings", """{"model":"arctic_embed_xs","input":["The cat sits on the mat.","A kitten is resting on a rug.","Quarterly revenue grew by eight percent."]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("list", body["object"]!.GetValue<string>());
        Assert.Equal("arctic_embed_xs", body["model"]!.GetValue<string>());
        var data = body["data"]!.AsArray();
        Assert.Equal([0, 1, 2], data.Select(d => d!["index"]!.GetValue<int>()));
        Assert.All(data, d => Assert.Equal("embedding", d!["object"]!.GetValue<string>()));
        var e = data.Select(d => Vector(d!["embedding"]!)).ToArray();
        Assert.Equal(384, e[0].Length);
        Assert.True(Dot(e[0], e[1]) > Dot(e[0], e[2]) + 0.1f);
        Assert.True(body["usage"]!["prompt_tokens"]!.GetValue<int>() > 10);
        Assert.Equal(body["usage"]!["prompt_tokens"]!.GetValue<int>(), body["usage"]!["total_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task OpenAiAndV2_SameText_GiveTheSameEmbedding()
    {
        var (_, openAi) = await PostAsync("/v1/embeddings", """{"model":"arctic_embed_xs","input":"Hello, world"}""");
        var (_, v2) = await PostAsync("/v2/models/arctic_embed_xs/infer", """{"inputs":[{"name":"TEXT","shape":[1],"datatype":"BYTES","data":["Hello, world"]}]}""");

        Assert.Equal(Vector(openAi["data"]![0]!["embedding"]!), Vector(v2["outputs"]![0]!["data"]!));
        Assert.Equal([1L, 384L], v2["outputs"]![0]!["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
    }

    [Fact]
    public async Task ConcurrentRequestsOfDifferentLengths_EachGetWhatItGetsAlone()
    {
        var texts = Enumerable.Range(0, 24).Select(i => string.Join(' ', Enumerable.Repeat($"token{i}", 1 + (i * 7 % 40)))).ToArray();
        var alone = new List<float[]>();
        foreach (var text in texts)
        {
            var (_, body) = await PostAsync("/v1/embeddings", $$"""{"model":"arctic_embed_xs","input":"{{text}}"}""");
            alone.Add(Vector(body["data"]![0]!["embedding"]!));
        }

        var together = await Task.WhenAll(texts.Select(async text =>
        {
            var (_, body) = await PostAsync("/v1/embeddings", $$"""{"model":"arctic_embed_xs","input":"{{text}}"}""");
            return Vector(body["data"]![0]!["embedding"]!);
        }));

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(alone[i].Zip(together[i]).All(p => MathF.Abs(p.First - p.Second) < 1e-5f), $"text {i} changed under concurrency");
        }
    }

    [Fact]
    public async Task Grpc_RawTextInput_ReturnsEmbedding()
    {
        var text = Encoding.UTF8.GetBytes("Hello, world");
        var request = new ModelInferRequest { ModelName = "arctic_embed_xs" };
        request.Inputs.Add(Tensors.Input("TEXT", "BYTES", [1, 1]));
        request.RawInputContents.Add(ByteString.CopyFrom([.. BitConverter.GetBytes(text.Length), .. text]));

        var response = await fixture.Grpc.ModelInferAsync(request);

        Assert.Equal(384 * 4, response.RawOutputContents[0].Length);
    }

    [Theory]
    [InlineData("""{"model":"arctic_embed_xs","input":"x","dimensions":128}""", HttpStatusCode.BadRequest, "cannot shorten")]
    [InlineData("""{"model":"no_such","input":"x"}""", HttpStatusCode.NotFound, "not in the repository")]
    [InlineData("""{"model":"arctic_embed_xs","input":[[1,2,3]]}""", HttpStatusCode.BadRequest, "token arrays are not supported")]
    [InlineData("""{"model":"arctic_embed_xs","input":[]}""", HttpStatusCode.BadRequest, "non-empty array")]
    [InlineData("""{"model":"arctic_embed_xs"}""", HttpStatusCode.BadRequest, "\"input\" is required")]
    [InlineData("""{"input":"x"}""", HttpStatusCode.BadRequest, "\"model\" must be")]
    [InlineData("""{"model":"simple","input":"x"}""", HttpStatusCode.BadRequest, "does not take text")]
    [InlineData("""{"model":"arctic_embed_xs","input":"x","encoding_format":"int8"}""", HttpStatusCode.BadRequest, "not supported")]
    [InlineData("not json", HttpStatusCode.BadRequest, "not valid JSON")]
    public async Task OpenAiEmbeddings_BadRequest_AnswersInOpenAiErrorShape(string body, HttpStatusCode expected, string message)
    {
        var (status, response) = await PostAsync("/v1/embeddings", body);

        Assert.Equal(expected, status);
        Assert.Contains(message, response["error"]!["message"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", response["error"]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"TEXT","shape":[1],"datatype":"FP32","data":[1]}]}""", "has datatype FP32")]
    [InlineData("""{"inputs":[{"name":"TEXT","shape":[1,2],"datatype":"BYTES","data":["a","b"]}]}""", "expects [-1,1]")]
    public async Task V2Infer_WrongDatatypeOrShape_Returns400(string body, string message)
    {
        var (status, response) = await PostAsync("/v2/models/arctic_embed_xs/infer", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, response["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task V2Infer_NonUtf8Bytes_Returns400AndOthersInTheBatchAreUnaffected()
    {
        var header = """{"inputs":[{"name":"TEXT","shape":[1,1],"datatype":"BYTES","parameters":{"binary_data_size":6}}]}""";
        var content = new ByteArrayContent([.. Encoding.UTF8.GetBytes(header), 2, 0, 0, 0, 0xC3, 0x28]);
        content.Headers.Add("Inference-Header-Content-Length", Encoding.UTF8.GetByteCount(header).ToString(System.Globalization.CultureInfo.InvariantCulture));

        var good = PostAsync("/v1/embeddings", """{"model":"arctic_embed_xs","input":"still fine"}""");
        using var response = await fixture.Http.PostAsync("/v2/models/arctic_embed_xs/infer", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid UTF-8", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await good).Status);
    }

    [Fact]
    public async Task OpenAiEmbeddings_HundredThousandCharacters_IsTruncatedNotRefused()
    {
        var text = string.Concat(Enumerable.Repeat("abcdefghi ", 10_000));
        var (status, body) = await PostAsync("/v1/embeddings", $$"""{"model":"arctic_embed_xs","input":"{{text}}"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(512, body["usage"]!["prompt_tokens"]!.GetValue<int>());
    }
}
