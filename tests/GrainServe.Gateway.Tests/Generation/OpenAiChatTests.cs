using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using GrainServe.TestSupport;
using OpenAI;
using OpenAI.Chat;

namespace GrainServe.OpenAiClient;

/// <summary>The chat route driven by the official OpenAI .NET client, against the sample Llama-shaped model.</summary>
[Collection(GatewayCollection.Name)]
public sealed class OpenAiChatTests(GatewayFixture fixture)
{
    private const string Model = "tiny_llama";

    private ChatClient Client(string model = Model) =>
        new(model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Http.BaseAddress!, "/v1") });

    private static ChatCompletionOptions Greedy(int maxTokens) => new() { Temperature = 0, MaxOutputTokenCount = maxTokens };

    [Fact]
    public async Task CompleteChat_Greedy_AnswersWithUsageAndLengthFinish()
    {
        ChatCompletion completion = await Client().CompleteChatAsync([new SystemChatMessage("You are terse."), new UserChatMessage("Name a colour.")], Greedy(8));

        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(8, completion.Usage.OutputTokenCount);
        Assert.True(completion.Usage.InputTokenCount > 10, "the chatml template's markers count as prompt tokens");
        Assert.Equal(completion.Usage.InputTokenCount + 8, completion.Usage.TotalTokenCount);
        Assert.NotEmpty(completion.Content[0].Text);
    }

    [Fact]
    public async Task CompleteChatStreaming_ConcatenatedDeltas_EqualTheWholeAnswer()
    {
        var messages = new ChatMessage[] { new UserChatMessage("Tell me a story about a lighthouse.") };
        ChatCompletion whole = await Client().CompleteChatAsync(messages, Greedy(24));

        var streamed = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var updates = 0;
        await foreach (var update in Client().CompleteChatStreamingAsync(messages, Greedy(24)))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal(whole.Content[0].Text, streamed.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.True(updates > 5, $"tokens arrive as they are produced ({updates} updates)");
        Assert.Equal(24, usage?.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChat_StopString_EndsBeforeItAndNeverShowsIt()
    {
        var messages = new ChatMessage[] { new UserChatMessage("Count to ten.") };
        var text = (await Client().CompleteChatAsync(messages, Greedy(24))).Value.Content[0].Text;
        Assert.True(text.Length > 6, $"the model's text is long enough to cut: '{text}'");
        var stop = text.Substring(text.Length / 2, 3);
        var expected = text[..text.IndexOf(stop, StringComparison.Ordinal)];

        var options = Greedy(24);
        options.StopSequences.Add(stop);
        ChatCompletion stopped = await Client().CompleteChatAsync(messages, options);

        Assert.Equal(expected, stopped.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
    }

    [Fact]
    public async Task CompleteChat_ConcurrentRequests_EachGetsWhatItGetsAlone()
    {
        var prompts = Enumerable.Range(0, 8).Select(i => $"Question {i}: {new string('x', i * 7)} why?").ToList();
        var alone = new List<string>();
        foreach (var prompt in prompts)
        {
            alone.Add((await Client().CompleteChatAsync([new UserChatMessage(prompt)], Greedy(12))).Value.Content[0].Text);
        }

        var together = await Task.WhenAll(prompts.Select(async p => (await Client().CompleteChatAsync([new UserChatMessage(p)], Greedy(12))).Value.Content[0].Text));

        Assert.Equal(alone, together);
    }

    [Fact]
    public async Task CompleteChat_Seeded_SameSeedSameText()
    {
#pragma warning disable OPENAI001 // Seed is marked experimental in the client; the route serves it.
        var options = new ChatCompletionOptions { Temperature = 1, MaxOutputTokenCount = 12, Seed = 1234 };
#pragma warning restore OPENAI001
        var first = (await Client().CompleteChatAsync([new UserChatMessage("Surprise me.")], options)).Value.Content[0].Text;
        var second = (await Client().CompleteChatAsync([new UserChatMessage("Surprise me.")], options)).Value.Content[0].Text;

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task CompleteChat_Logprobs_OnePerTokenWithAlternatives()
    {
        var options = Greedy(5);
        options.IncludeLogProbabilities = true;
        options.TopLogProbabilityCount = 3;
        ChatCompletion completion = await Client().CompleteChatAsync([new UserChatMessage("Hi")], options);

        Assert.Equal(5, completion.ContentTokenLogProbabilities.Count);
        // Each token's own bytes (some are part of a UTF-8 character): together they decode to the answer.
        var bytes = completion.ContentTokenLogProbabilities.SelectMany(t => t.Utf8Bytes?.ToArray() ?? []).ToArray();
        Assert.Equal(completion.Content[0].Text, Encoding.UTF8.GetString(bytes));
        foreach (var token in completion.ContentTokenLogProbabilities)
        {
            Assert.True(token.LogProbability <= 0);
            Assert.Equal(3, token.TopLogProbabilities.Count);
            // Greedy: the chosen token is the most likely one.
            Assert.Equal(token.TopLogProbabilities[0].LogProbability, token.LogProbability, 4);
        }
    }

    [Fact]
    public async Task CompleteChat_UnknownModel_Is404()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client("no_such_model").CompleteChatAsync([new UserChatMessage("Hi")], Greedy(4)));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task CompleteChat_NegativeTemperature_Is400()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client().CompleteChatAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { Temperature = -1 }));
        Assert.Equal(400, error.Status);
        Assert.Contains("temperature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_MaxTokensPastTheContext_Is400()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client().CompleteChatAsync([new UserChatMessage("Hi")], Greedy(1_000_000)));
        Assert.Equal(400, error.Status);
        Assert.Contains("max_tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_NotAGenerationModel_Is400()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client("simple").CompleteChatAsync([new UserChatMessage("Hi")], Greedy(4)));
        Assert.Equal(400, error.Status);
        Assert.Contains("not a text generation model", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]}""", "tools")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}""", "response_format")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}],"logit_bias":{"50":1}}""", "logit_bias")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}],"frobnicate":1}""", "frobnicate")]
    [InlineData("""{"model":"tiny_llama","messages":[]}""", "messages")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"wizard","content":"hi"}]}""", "wizard")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"\udcff"}]}""", "surrogate")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}],"top_logprobs":3}""", "logprobs")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}],"n":0}""", "\"n\"")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}],"top_p":0}""", "top_p")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}""", "stream")]
    [InlineData("""{"model":"tiny_llama","messages":[{"role":"user","content":"hi"}""", "JSON")]
    public async Task ChatCompletions_BadRequest_Is400NamingTheProblem(string body, string named)
    {
        var response = await fixture.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(text);
        Assert.Contains(named, error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
    }
}
