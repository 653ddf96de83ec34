using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using GrainServe.TestSupport;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace GrainServe.Gateway.Auth;

/// <summary>OpenAI's routes with API keys on, driven by the official OpenAI client, which sends its key as a bearer key.</summary>
[Collection(AuthGatewayCollection.Name)]
public sealed class AuthOpenAiTests(AuthGatewayFixture fixture)
{
    private OpenAIClientOptions Options() => new()
    {
        Endpoint = new Uri(fixture.Http.BaseAddress!, "/v1"),
        Transport = new HttpClientPipelineTransport(new HttpClient(fixture.Certificate.TrustingHandler())),
        // A refused request is not retried: the tests want the first answer.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    [Fact]
    public async Task CompleteChat_WithAValidKey_Answers()
    {
        var client = new ChatClient("tiny_llama", new ApiKeyCredential(fixture.Key("tiny-glob")), Options());

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Hello!")], new ChatCompletionOptions { MaxOutputTokenCount = 4, Temperature = 0 });

        Assert.Equal(4, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChat_WithABadKey_Raises401()
    {
        var client = new ChatClient("tiny_llama", new ApiKeyCredential("gsk-wrong"), Options());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("Hello!")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }));

        Assert.Equal(401, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString());
        var detail = body.RootElement.GetProperty("error");
        Assert.Equal(("the API key is not known", "invalid_request_error", "invalid_api_key"), (detail.GetProperty("message").GetString(), detail.GetProperty("type").GetString(), detail.GetProperty("code").GetString()));
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("param").ValueKind);
    }

    [Fact]
    public async Task CompleteChat_KeyWithoutTheBodysModel_Is403InOpenAisShape()
    {
        var client = new ChatClient("tiny_llama", new ApiKeyCredential(fixture.Key("simple-only")), Options());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("Hello!")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }));

        Assert.Equal(403, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString());
        Assert.Equal("permission_denied", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ListModels_ShowsOnlyTheKeysModels()
    {
        var client = new OpenAIModelClient(new ApiKeyCredential(fixture.Key("tiny-glob")), Options());

        OpenAIModelCollection models = await client.GetModelsAsync();

        Assert.Equal(["tiny_llama"], models.Select(m => m.Id));
    }

    [Fact]
    public async Task Embeddings_WithoutKey_Is401InOpenAisShape()
    {
        using var response = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Post, "/v1/embeddings", null, """{"model": "simple", "input": "x"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_api_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
