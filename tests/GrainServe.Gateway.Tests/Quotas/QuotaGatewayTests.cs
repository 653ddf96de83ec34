using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Text.Json;
using GrainServe.Gateway.Auth;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.TestSupport;
using Google.Protobuf;
using Grpc.Core;
using OpenAI;
using OpenAI.Chat;

namespace GrainServe.Gateway.Quotas;

/// <summary>
/// Quotas over every protocol, with the keys of <see cref="AuthGatewayFixture.Quotas"/>: one request per 5 s (the first
/// passes, the ones right after are refused) and 1000 tokens a minute.
/// </summary>
[Collection(AuthGatewayCollection.Name)]
public sealed class QuotaGatewayTests(AuthGatewayFixture fixture)
{
    [Fact]
    public async Task Infer_OverRequestsPerSecond_Is429WithRetryAfterAndTheV2Error()
    {
        using var first = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Post, "/v2/models/simple/infer", fixture.Key("rps-rest"), AuthRestTests.SimpleInfer));
        using var second = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Post, "/v2/models/simple/infer", fixture.Key("rps-rest"), AuthRestTests.SimpleInfer));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        var retryAfter = Assert.Single(second.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, CultureInfo.InvariantCulture), 1, 5);
        using var body = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal($"the API key 'rps-rest' is over its requests per second quota; retry after {retryAfter} s", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ModelInfer_OverRequestsPerSecond_IsResourceExhaustedWithARetryAfterTrailer()
    {
        await fixture.Grpc.ModelInferAsync(SimpleRequest(), fixture.Bearer("rps-grpc"));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Grpc.ModelInferAsync(SimpleRequest(), fixture.Bearer("rps-grpc")));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("'rps-grpc' is over its requests per second quota", error.Status.Detail, StringComparison.Ordinal);
        Assert.InRange(int.Parse(error.Trailers.GetValue("retry-after")!, CultureInfo.InvariantCulture), 1, 5);
    }

    [Fact]
    public async Task CompleteChat_OverRequestsPerSecond_RaisesA429InOpenAisShape()
    {
        var client = new ChatClient("tiny_llama", new ApiKeyCredential(fixture.Key("rps-openai")), Options());
        await client.CompleteChatAsync([new UserChatMessage("Hello!")], new ChatCompletionOptions { MaxOutputTokenCount = 2, Temperature = 0 });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("Hello!")], new ChatCompletionOptions { MaxOutputTokenCount = 2 }));

        Assert.Equal(429, error.Status);
        var response = error.GetRawResponse()!;
        Assert.True(response.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.InRange(int.Parse(retryAfter!, CultureInfo.InvariantCulture), 1, 5);
        using var body = JsonDocument.Parse(response.Content.ToString());
        var detail = body.RootElement.GetProperty("error");
        Assert.Equal(("requests", "rate_limit_exceeded"), (detail.GetProperty("type").GetString(), detail.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task CompleteChat_TokensPerMinute_ChargesTheUsage_AndRefusesWhatTheBucketCannotCover()
    {
        var client = new ChatClient("tiny_llama", new ApiKeyCredential(fixture.Key("tpm")), Options());

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Hello!")], new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0 });
        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("Hello!")], new ChatCompletionOptions { MaxOutputTokenCount = 2000 }));

        Assert.Equal(429, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString());
        Assert.Contains("'tpm' is over its tokens per minute quota", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var metrics = await MetricsAsync();
        Assert.Equal(completion.Usage.TotalTokenCount, Sample(metrics, "grainserve_quota_used_total", "tpm", "tokens_per_minute"));
        Assert.Equal(1, Sample(metrics, "grainserve_quota_rejected_total", "tpm", "tokens_per_minute"));
    }

    [Fact]
    public async Task Transcription_AudioSecondsPerMinute_ChargesTheRecordingsLength_AndRefusesOnceSpent()
    {
        // 2 audio seconds a minute: the first 2 s clip reserves 1 s and is charged its 2 s, which spends the minute; the
        // next one is refused until the bucket refills.
        var clip = ToneWav.Create(2.0, 440);
        var request = new ModelInferRequest { ModelName = AuthGatewayFixture.Whisper };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "audio", Datatype = "BYTES", Shape = { 1 } });
        request.RawInputContents.Add(ByteString.CopyFrom([.. BitConverter.GetBytes(clip.Length), .. clip]));
        foreach (var (name, value) in new Dictionary<string, string> { ["max_tokens"] = "2", ["ignore_eos"] = "true", ["temperature_increment_on_fallback"] = "0" })
        {
            request.Parameters[name] = new InferParameter { StringParam = value };
        }

        await fixture.Grpc.ModelInferAsync(request, fixture.Bearer("aspm"));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Grpc.ModelInferAsync(request, fixture.Bearer("aspm")));
        // A model that is not speech is not charged audio: the same key still runs it.
        await fixture.Grpc.ModelInferAsync(SimpleRequest(), fixture.Bearer("aspm"));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("'aspm' is over its audio seconds per minute quota", error.Status.Detail, StringComparison.Ordinal);
        var metrics = await MetricsAsync();
        Assert.Equal(2.0, Sample(metrics, "grainserve_quota_used_total", "aspm", "audio_seconds_per_minute"), 3);
        Assert.Equal(1, Sample(metrics, "grainserve_quota_rejected_total", "aspm", "audio_seconds_per_minute"));
    }

    [Fact]
    public async Task Metrics_CountEveryRefusalAndUseByKeyName()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Post, "/v2/models/simple/infer", fixture.Key("rps-metric"), AuthRestTests.SimpleInfer));
            statuses.Add(response.StatusCode);
        }

        var metrics = await MetricsAsync();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(3, Sample(metrics, "grainserve_quota_rejected_total", "rps-metric", "requests_per_second"));
        Assert.Equal(1, Sample(metrics, "grainserve_quota_used_total", "rps-metric", "requests_per_second"));
        Assert.DoesNotContain(fixture.Key("rps-metric"), metrics, StringComparison.Ordinal);
    }

    private OpenAIClientOptions Options() => new()
    {
        Endpoint = new Uri(fixture.Http.BaseAddress!, "/v1"),
        Transport = new HttpClientPipelineTransport(new HttpClient(fixture.Certificate.TrustingHandler())),
        // The client would retry a 429 after its Retry-After; the tests want the first answer.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    private async Task<string> MetricsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", fixture.Key("watcher"));
        using var response = await fixture.Metrics.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static double Sample(string metrics, string family, string key, string quota)
    {
        var prefix = $"{family}{{key=\"{key}\",quota=\"{quota}\"}} ";
        var line = Assert.Single(metrics.Split('\n'), l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    private static ModelInferRequest SimpleRequest()
    {
        var request = new ModelInferRequest { ModelName = "simple" };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32" };
            tensor.Shape.AddRange([1, 16]);
            request.Inputs.Add(tensor);
            request.RawInputContents.Add(ByteString.CopyFrom(Enumerable.Range(1, 16).SelectMany(BitConverter.GetBytes).ToArray()));
        }

        return request;
    }
}
