using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;
using Grpc.Core;

namespace GrainServe.Generation;

/// <summary>The Open Inference Protocol's generate extension (REST) and generation over gRPC's ModelStreamInfer.</summary>
[Collection(GatewayCollection.Name)]
public sealed class GenerateApiTests(GatewayFixture fixture)
{
    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(string path, string body)
    {
        var response = await fixture.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default, response);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostWithDeadlineAsync(string path, string body, string deadlineMs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(GrainServe.Gateway.Rest.DeadlineHeader.Name, deadlineMs);
        using var response = await fixture.Http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Theory]
    [InlineData("/v2/models/tiny_llama/generate")]
    [InlineData("/v2/models/tiny_llama/generate_stream")]
    public async Task Generate_DeadlineAlreadyPassed_Is504BeforeAnyText(string path)
    {
        var (status, body) = await PostWithDeadlineAsync(path, """{"text_input":"Hi","parameters":{"max_tokens":4}}""", "0");

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("deadline passed before it was routed", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_DeadlinePassingMidway_Is504_AndTheSequenceLeavesTheEngine()
    {
        // 2000 tokens take the sample decoder seconds; the deadline ends the request long before, and its sequence with it.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (status, body) = await PostWithDeadlineAsync("/v2/models/tiny_llama/generate", """{"text_input":"Hi","parameters":{"max_tokens":2000,"ignore_eos":true}}""", "300");

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("deadline passed", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
        var pending = 1L;
        for (var i = 0; i < 50 && pending > 0; i++)
        {
            await Task.Delay(100);
            using var stats = JsonDocument.Parse(await fixture.Http.GetStringAsync("/v2/models/tiny_llama/instances"));
            pending = stats.RootElement.GetProperty("instances").EnumerateArray().Sum(i => i.GetProperty("pending").GetInt64());
        }

        Assert.Equal(0, pending);
    }

    [Fact]
    public async Task Generate_MalformedDeadline_Is422NamingTheHeader()
    {
        var (status, body) = await PostWithDeadlineAsync("/v2/models/tiny_llama/generate_stream", """{"text_input":"Hi"}""", "soon");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("x-request-deadline-ms", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_WithDetails_GivesTextFinishReasonAndTokens()
    {
        var (status, body, response) = await PostAsync("/v2/models/tiny_llama/generate", """{"text_input":"The weather today","parameters":{"max_tokens":5,"temperature":0,"details":true}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("tiny_llama", body.GetProperty("model_name").GetString());
        Assert.Equal("1", body.GetProperty("model_version").GetString());
        Assert.Equal("1", response.Headers.GetValues("x-model-version").Single());
        Assert.Equal("length", body.GetProperty("details").GetProperty("finish_reason").GetString());
        var tokens = body.GetProperty("details").GetProperty("logprobs").EnumerateArray().ToList();
        Assert.Equal(5, tokens.Count);
        Assert.All(tokens, t => Assert.False(t.GetProperty("special").GetBoolean()));
        Assert.Equal(body.GetProperty("text_output").GetString(), string.Concat(tokens.Select(t => t.GetProperty("text").GetString())));
    }

    [Fact]
    public async Task Generate_DefaultMaxTokens_IsTwenty()
    {
        var (_, body, _) = await PostAsync("/v2/models/tiny_llama/versions/1/generate", """{"text_input":"Hi","parameters":{"temperature":0,"details":true}}""");

        Assert.Equal(20, body.GetProperty("details").GetProperty("logprobs").GetArrayLength());
    }

    [Fact]
    public async Task GenerateStream_EventsConcatenateToTheWholeText()
    {
        var (_, whole, _) = await PostAsync("/v2/models/tiny_llama/generate", """{"text_input":"A river","parameters":{"max_tokens":8,"temperature":0}}""");
        var response = await fixture.Http.PostAsync("/v2/models/tiny_llama/generate_stream", new StringContent("""{"text_input":"A river","parameters":{"max_tokens":8,"temperature":0,"details":true}}""", Encoding.UTF8, "application/json"));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement.Clone()).ToList();

        Assert.Equal(8, events.Count);
        Assert.Equal(whole.GetProperty("text_output").GetString(), string.Concat(events.Select(e => e.GetProperty("text_output").GetString())));
        Assert.All(events, e => Assert.True(e.GetProperty("details").TryGetProperty("token", out _)));
        Assert.Equal("length", events[^1].GetProperty("details").GetProperty("finish_reason").GetString());
    }

    [Theory]
    [InlineData("/v2/models/tiny_llama/generate", """{"parameters":{}}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/v2/models/tiny_llama/generate", """{"text_input":"Hi","parameters":{"temperature":-0.5}}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/v2/models/tiny_llama/generate", """{"text_input":"Hi","parameters":{"max_tokens":0}}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/v2/models/tiny_llama/generate", """{"text_input":"Hi","parameters":{"beam_width":4}}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/v2/models/tiny_llama/generate", """{"text_input":"Hi""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/v2/models/tiny_llama/generate_stream", """{"text_input":5}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/v2/models/simple/generate", """{"text_input":"Hi"}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/v2/models/tiny_llama/generate", """{"text_input":"Hi","parameters":{"\udc00":1}}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/v2/models/tiny_llama/generate_stream", """{"text_input":"Hi","parameters":{"stop":["x","x","x","x","x","x","x","x","x","x","x","x","x","x","x","x","x"]}}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("/v2/models/no_such_model/generate", """{"text_input":"Hi"}""", HttpStatusCode.NotFound)]
    [InlineData("/v2/models/tiny_llama/versions/7/generate", """{"text_input":"Hi"}""", HttpStatusCode.NotFound)]
    public async Task Generate_BadRequest_GetsTheSpecsStatusAndErrorBody(string path, string body, HttpStatusCode expected)
    {
        var (status, error, _) = await PostAsync(path, body);

        Assert.Equal(expected, status);
        Assert.Equal(JsonValueKind.String, error.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Infer_OnAGenerationModel_Is400PointingAtGenerate()
    {
        var (status, error, _) = await PostAsync("/v2/models/tiny_llama/infer", """{"inputs":[{"name":"text_input","shape":[1],"datatype":"BYTES","data":["Hi"]}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("/generate", error.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelStreamInfer_Generation_StreamsResponsesAndFlagsTheLast()
    {
        var client = fixture.Grpc;
        using var call = client.ModelStreamInfer();
        var request = new ModelInferRequest { ModelName = "tiny_llama", Id = "g1" };
        request.Inputs.Add(Bytes("text_input", "The weather today"));
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "stream", Datatype = "BOOL", Shape = { 1 }, Contents = new InferTensorContents { BoolContents = { true } } });
        request.Inputs.Add(Bytes("sampling_parameters", """{"max_tokens": 5, "temperature": 0}"""));
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();

        var responses = new List<ModelStreamInferResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }

        Assert.All(responses, r => Assert.Equal("", r.ErrorMessage));
        Assert.True(responses.Count >= 2, $"{responses.Count} responses");
        Assert.All(responses[..^1], r => Assert.False(r.InferResponse.Parameters["triton_final_response"].BoolParam));
        Assert.True(responses[^1].InferResponse.Parameters["triton_final_response"].BoolParam);
        var streamed = string.Concat(responses.Select(r => r.InferResponse.Outputs[0].Contents.BytesContents[0].ToStringUtf8()));
        var (_, whole, _) = await PostAsync("/v2/models/tiny_llama/generate", """{"text_input":"The weather today","parameters":{"max_tokens":5,"temperature":0}}""");
        Assert.Equal(whole.GetProperty("text_output").GetString(), streamed);
    }

    [Fact]
    public async Task ModelStreamInfer_BadSamplingParameters_AnswersWithErrorMessage()
    {
        using var call = fixture.Grpc.ModelStreamInfer();
        var request = new ModelInferRequest { ModelName = "tiny_llama", Id = "bad" };
        request.Inputs.Add(Bytes("text_input", "Hi"));
        request.Inputs.Add(Bytes("sampling_parameters", """{"temperature": "warm"}"""));
        await call.RequestStream.WriteAsync(request);
        var surrogate = new ModelInferRequest { ModelName = "tiny_llama", Id = "surrogate" };
        surrogate.Inputs.Add(Bytes("text_input", "Hi"));
        surrogate.Inputs.Add(Bytes("sampling_parameters", """{"\ud800": 1}"""));
        await call.RequestStream.WriteAsync(surrogate);
        await call.RequestStream.CompleteAsync();
        var responses = new List<ModelStreamInferResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }

        Assert.Equal(2, responses.Count);
        Assert.Contains("temperature", responses.Single(r => r.InferResponse.Id == "bad").ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("field name", responses.Single(r => r.InferResponse.Id == "surrogate").ErrorMessage, StringComparison.Ordinal);
        Assert.All(responses, r => Assert.True(r.InferResponse.Parameters["triton_final_response"].BoolParam));
    }

    [Fact]
    public async Task RandomGpt2_TokenIdPrompt_GeneratesAndRefusesIdsPastItsVocabulary()
    {
        if (!fixture.HasRandomGpt2)
        {
            return;
        }

        var (status, body, _) = await PostAsync("/v1/completions", $$"""{"model":"{{GatewayFixture.RandomGpt2}}","prompt":[5, 17, 42],"max_tokens":6,"temperature":0}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(6, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        // genai_config.json says 1000 logits, though its tokenizer.json has all of GPT-2's 50,257 tokens.
        var (tooLarge, error, _) = await PostAsync("/v1/completions", $$"""{"model":"{{GatewayFixture.RandomGpt2}}","prompt":[5, 1000],"max_tokens":2}""");
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge);
        Assert.Contains("1000", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        // Its context is 512 tokens (genai_config.json).
        var (tooLong, _, _) = await PostAsync("/v1/completions", $$"""{"model":"{{GatewayFixture.RandomGpt2}}","prompt":[5, 17],"max_tokens":511}""");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong);
        var (fits, _, _) = await PostAsync("/v1/completions", $$"""{"model":"{{GatewayFixture.RandomGpt2}}","prompt":[5, 17],"max_tokens":510,"ignore_eos":true}""");
        Assert.Equal(HttpStatusCode.OK, fits);
    }

    [Fact]
    public async Task ClientGoesAway_MidStream_TheSequenceLeavesTheEngine()
    {
        using var cancel = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent("""{"model":"tiny_llama","prompt":"Go on forever","max_tokens":1500,"ignore_eos":true,"stream":true}""", Encoding.UTF8, "application/json"),
        };
        var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        Assert.StartsWith("data: ", await reader.ReadLineAsync(cancel.Token), StringComparison.Ordinal);
        Assert.True(await RunningAsync() >= 1);

        await cancel.CancelAsync();
        response.Dispose();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await RunningAsync() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, await RunningAsync());
    }

    private async Task<double> RunningAsync()
    {
        var metrics = await new HttpClient().GetStringAsync($"http://127.0.0.1:{fixture.MetricsPort}/metrics");
        const string Prefix = "vllm:num_requests_running{model_name=\"tiny_llama\",silo=\"rest-test\"} ";
        return double.Parse(metrics.Split('\n').Single(l => l.StartsWith(Prefix, StringComparison.Ordinal))[Prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ModelInferRequest.Types.InferInputTensor Bytes(string name, string text) => new()
    {
        Name = name,
        Datatype = "BYTES",
        Shape = { 1 },
        Contents = new InferTensorContents { BytesContents = { ByteString.CopyFromUtf8(text) } },
    };
}
