using System.Net;
using System.Text;
using System.Text.Json;
using GrainServe.TestSupport;

namespace GrainServe.Generation;

/// <summary>OpenAI's completions route and model list over plain HTTP (the official client has no completions client).</summary>
[Collection(GatewayCollection.Name)]
public sealed class CompletionsApiTests(GatewayFixture fixture)
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string body)
    {
        var response = await fixture.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }

    private async Task<List<JsonElement>> StreamAsync(string path, string body)
    {
        var response = await fixture.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", lines[^1]);
        return lines[..^1].Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task Completions_TextPrompt_AnswersInOpenAisShape()
    {
        var (status, body) = await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Once upon a time","max_tokens":6,"temperature":0}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal(4, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(6, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_VllmPriority_IsTakenAndATextPriorityRefused()
    {
        // vLLM's meaning: lower is served first; any whole number.
        var (status, _) = await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Hello","max_tokens":2,"priority":-5}""");
        var (refused, error) = await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Hello","max_tokens":2,"priority":"high"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("priority", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completions_TokenIdPrompt_EqualsTheSameTextPrompt()
    {
        // GPT-2's ids for "Once upon a time".
        var (_, ids) = await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":[7454, 2402, 257, 640],"max_tokens":6,"temperature":0}""");
        var (_, text) = await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Once upon a time","max_tokens":6,"temperature":0}""");

        Assert.Equal(text.GetProperty("choices")[0].GetProperty("text").GetString(), ids.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Completions_N_GivesThatManyChoices()
    {
        var (status, body) = await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Hello","max_tokens":5,"n":3,"seed":7}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(15, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_Logprobs_ParallelArraysPerToken()
    {
        var (_, body) = await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Hello","max_tokens":4,"temperature":0,"logprobs":2}""");
        var logprobs = body.GetProperty("choices")[0].GetProperty("logprobs");

        Assert.Equal(4, logprobs.GetProperty("tokens").GetArrayLength());
        Assert.Equal(4, logprobs.GetProperty("token_logprobs").GetArrayLength());
        Assert.Equal(4, logprobs.GetProperty("text_offset").GetArrayLength());
        Assert.All(logprobs.GetProperty("top_logprobs").EnumerateArray(), top => Assert.InRange(top.EnumerateObject().Count(), 1, 2));
        Assert.Equal(body.GetProperty("choices")[0].GetProperty("text").GetString(), string.Concat(logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString())));
    }

    [Fact]
    public async Task Completions_Stream_ChunksThenUsageThenDone()
    {
        var events = await StreamAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Hello","max_tokens":7,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}""");
        var (_, whole) = await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Hello","max_tokens":7,"temperature":0}""");

        var usage = events[^1];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(7, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var chunks = events[..^1];
        Assert.All(chunks, c => Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind));
        Assert.Equal("length", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(whole.GetProperty("choices")[0].GetProperty("text").GetString(), string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString())));
    }

    [Fact]
    public async Task ChatCompletions_Stream_FirstChunkCarriesTheRole()
    {
        var events = await StreamAsync("/v1/chat/completions", """{"model":"tiny_llama","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"stream":true}""");

        Assert.Equal("chat.completion.chunk", events[0].GetProperty("object").GetString());
        Assert.Equal("assistant", events[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("length", events[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Theory]
    [InlineData("""{"model":"tiny_llama","prompt":"Hi","echo":true}""", "echo")]
    [InlineData("""{"model":"tiny_llama","prompt":"Hi","suffix":"end"}""", "suffix")]
    [InlineData("""{"model":"tiny_llama","prompt":"Hi","logprobs":6}""", "logprobs")]
    [InlineData("""{"model":"tiny_llama","prompt":["a","b"]}""", "prompt")]
    [InlineData("""{"model":"tiny_llama"}""", "prompt")]
    [InlineData("""{"model":"tiny_llama","prompt":[99999999]}""", "vocabulary")]
    [InlineData("""{"model":"tiny_llama","prompt":"Hi","max_tokens":0}""", "max_tokens")]
    [InlineData("""{"model":"tiny_llama","prompt":"Hi","presence_penalty":3}""", "presence_penalty")]
    [InlineData("""{"model":"tiny_llama","prompt":"Hi","temperature":"hot"}""", "temperature")]
    [InlineData("""{"prompt":"Hi"}""", "model")]
    [InlineData("""{"model":"tiny_llama","prompt":"Hi","\ud800":1}""", "field name")]
    [InlineData("""{"model":"tiny_llama","prompt":"Hi","stop":["a","b","c","d","e"]}""", "stop")]
    [InlineData("""{"model":"tiny_llama","prompt":"Hi","n":2,"max_tokens":100000}""", "max_tokens")]
    public async Task Completions_BadRequest_Is400NamingTheProblem(string body, string named)
    {
        var (status, error) = await PostAsync("/v1/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(named, error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_ListsEveryModelOfEveryKind()
    {
        var list = JsonDocument.Parse(await fixture.Http.GetStringAsync("/v1/models")).RootElement;
        var ids = list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();

        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.Contains("tiny_llama", ids);
        Assert.Contains("arctic_embed_xs", ids);
        Assert.Contains("simple", ids);
        var one = JsonDocument.Parse(await fixture.Http.GetStringAsync("/v1/models/tiny_llama")).RootElement;
        Assert.Equal("model", one.GetProperty("object").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Http.GetAsync("/v1/models/no_such_model")).StatusCode);
    }

    [Fact]
    public async Task Completions_NChoicesOnASplitModel_AllRunOnOneVersion()
    {
        // 50/50 between two versions: were choices routed one by one, some answer would mix versions and a version's
        // request count would not be a multiple of n.
        for (var i = 0; i < 12; i++)
        {
            var (status, body) = await PostAsync("/v1/completions", $$"""{"model":"{{GatewayFixture.SplitLlama}}","prompt":"Hello {{i}}","max_tokens":1,"n":3,"temperature":0}""");
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            Assert.Equal(3, body.GetProperty("choices").GetArrayLength());
        }

        // The gateway reports its counts to the model grain every half second.
        Dictionary<string, long> requests;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        do
        {
            await Task.Delay(200);
            var traffic = JsonDocument.Parse(await fixture.Http.GetStringAsync($"/v2/models/{GatewayFixture.SplitLlama}/traffic")).RootElement;
            requests = traffic.GetProperty("versions").EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!, v => v.GetProperty("requests").GetInt64());
        }
        while (requests.Values.Sum() < 36 && DateTime.UtcNow < deadline);

        Assert.Equal(36, requests.Values.Sum());
        Assert.All(requests, r => Assert.True(r.Value % 3 == 0, $"version {r.Key} ran {r.Value} choices, not whole answers of 3"));
    }

    [Fact]
    public async Task Metrics_CountGenerationInVllmsNames()
    {
        await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Hello","max_tokens":1,"temperature":0}""");
        var before = await MetricsAsync();
        await PostAsync("/v1/completions", """{"model":"tiny_llama","prompt":"Once upon a time","max_tokens":3,"temperature":0}""");
        var after = await MetricsAsync();

        Assert.Equal(3, Value(after, "vllm:generation_tokens_total") - Value(before, "vllm:generation_tokens_total"));
        Assert.Equal(4, Value(after, "vllm:prompt_tokens_total") - Value(before, "vllm:prompt_tokens_total"));
        Assert.Equal(1, Value(after, "vllm:request_success_total", ",finished_reason=\"length\"") - Value(before, "vllm:request_success_total", ",finished_reason=\"length\""));
        Assert.Equal(1, Value(after, "vllm:e2e_request_latency_seconds_count") - Value(before, "vllm:e2e_request_latency_seconds_count"));
        Assert.Equal(0, Value(after, "vllm:num_requests_running"));
        Assert.Equal(0, Value(after, "vllm:kv_cache_usage_perc"));
        Assert.Contains("vllm:time_to_first_token_seconds_bucket{model_name=\"tiny_llama\",silo=\"rest-test\",le=\"+Inf\"}", after, StringComparison.Ordinal);
    }

    private Task<string> MetricsAsync() => new HttpClient().GetStringAsync($"http://127.0.0.1:{fixture.MetricsPort}/metrics");

    private static double Value(string metrics, string family, string labels = "")
    {
        var prefix = $"{family}{{model_name=\"tiny_llama\",silo=\"rest-test\"{labels}}} ";
        var line = metrics.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
