using System.Security.Cryptography;
using System.Text.Json;
using GrainServe.Errors;
using GrainServe.Gateway.Auth;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Rest;
using GrainServe.Generation;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// OpenAI's text generation routes, <c>POST /v1/completions</c> and <c>POST /v1/chat/completions</c>, streamed as
/// server-sent events in OpenAI's chunk format or answered whole, and the model list, <c>GET /v1/models</c>.
/// </summary>
internal static class OpenAiGenerationEndpoints
{
    /// <summary>Maps the routes on the <c>/v1</c> group, under its OpenAI error boundary.</summary>
    public static void MapOpenAiGenerationEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapPost("/completions", (HttpContext context) => GenerateAsync(context, chat: false));
        v1.MapPost("/chat/completions", (HttpContext context) => GenerateAsync(context, chat: true));
        v1.MapGet("/models", ListModelsAsync);
        v1.MapGet("/models/{id}", (HttpContext context, string id) => GetModelAsync(context, id));
    }

    private static async Task GenerateAsync(HttpContext context, bool chat)
    {
        OpenAiGenerationCall call;
        using (var document = await JsonFields.ReadObjectAsync(context.Request, context.RequestAborted))
        {
            call = chat ? OpenAiRequestReader.ReadChat(document.RootElement) : OpenAiRequestReader.ReadCompletion(document.RootElement);
        }

        call = call with { Request = call.Request with { Deadline = DeadlineHeader.Read(context) } };

        ApiKeyIdentity.Demand(context, call.Model);

        var dataPlane = context.RequestServices.GetRequiredService<IInferenceDataPlane>();
        var id = (chat ? "chatcmpl-" : "cmpl-") + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using var chunks = ChoiceStreams.RunAsync(dataPlane, call, RoutingHeaders.Of(context), context.RequestAborted).GetAsyncEnumerator(context.RequestAborted);

        // The first chunk decides between an error status and a 200: a request the model refuses (bad values, not ready)
        // is answered like any other error, never as a stream that fails.
        if (!await chunks.MoveNextAsync())
        {
            throw new InferenceException(InferenceErrorCode.Internal, $"model '{call.Model}' ended the generation without an answer");
        }

        if (chunks.Current.Chunk.Error is { } first)
        {
            throw new InferenceException(first);
        }

        RoutingHeaders.SetModelVersion(context, chunks.Current.Chunk);
        if (call.Stream)
        {
            await StreamAsync(context, call, id, created, chunks);
        }
        else
        {
            await AnswerAsync(context, call, id, created, chunks);
        }
    }

    private static async Task AnswerAsync(HttpContext context, OpenAiGenerationCall call, string id, long created, IAsyncEnumerator<(int Index, GenerateChunk Chunk)> chunks)
    {
        var choices = Enumerable.Range(0, call.N).Select(_ => new ChoiceAccumulator()).ToArray();
        do
        {
            var (index, chunk) = chunks.Current;
            if (chunk.Error is { } error)
            {
                throw new InferenceException(error);
            }

            choices[index].Add(chunk);
        }
        while (await chunks.MoveNextAsync());

        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        writer.WriteStartObject();
        OpenAiJson.WriteHeader(writer, id, call.Chat ? "chat.completion" : "text_completion", created, call.Model);
        writer.WriteStartArray("choices");
        for (var i = 0; i < choices.Length; i++)
        {
            var choice = choices[i];
            var logprobs = call.Request.Logprobs ? choice.Logprobs : null;
            writer.WriteStartObject();
            writer.WriteNumber("index", i);
            if (call.Chat)
            {
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                writer.WriteString("content", choice.Text);
                writer.WriteEndObject();
                OpenAiJson.WriteChatLogprobs(writer, logprobs);
            }
            else
            {
                writer.WriteString("text", choice.Text);
                OpenAiJson.WriteCompletionLogprobs(writer, logprobs, 0);
            }

            writer.WriteString("finish_reason", OpenAiJson.FinishReason(choice.Finish));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        OpenAiJson.WriteUsage(writer, choices[0].PromptTokens, choices.Sum(c => c.CompletionTokens));
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext context, OpenAiGenerationCall call, string id, long created, IAsyncEnumerator<(int Index, GenerateChunk Chunk)> chunks)
    {
        var events = new ServerSentEvents(context.Response);
        var cancel = context.RequestAborted;
        await events.StartAsync(cancel);
        var objectType = call.Chat ? "chat.completion.chunk" : "text_completion";
        if (call.Chat)
        {
            // OpenAI's first chunk of each choice carries the role and empty content.
            for (var i = 0; i < call.N; i++)
            {
                var index = i;
                await events.WriteAsync(w => WriteChunk(w, call, id, objectType, created, index, "", null, null, role: true), cancel);
            }
        }

        var completion = new int[call.N];
        var offsets = new int[call.N];
        var prompt = 0;
        do
        {
            var (index, chunk) = chunks.Current;
            if (chunk.Error is { } error)
            {
                // Headers are gone: the error travels as an event, as vLLM sends it, and the stream still ends with [DONE].
                await events.WriteAsync(w => WriteStreamError(w, error), cancel);
                break;
            }

            prompt = chunk.PromptTokens;
            completion[index] = chunk.CompletionTokens;
            if (chunk.Text.Length > 0 || chunk.FinishReason is not null || (call.Request.Logprobs && chunk.Logprobs is { Length: > 0 }))
            {
                var offset = offsets[index];
                await events.WriteAsync(w => WriteChunk(w, call, id, objectType, created, index, chunk.Text, chunk.Logprobs, chunk.FinishReason, role: false, offset), cancel);
                // text_offset counts the tokens' own text, as the whole answer's does (released text may be held back).
                offsets[index] += chunk.Logprobs?.Sum(t => t.Text.Length) ?? chunk.Text.Length;
            }
        }
        while (await NextAsync(chunks, events, cancel));

        if (call.IncludeUsage)
        {
            await events.WriteAsync(w =>
            {
                w.WriteStartObject();
                OpenAiJson.WriteHeader(w, id, objectType, created, call.Model);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                OpenAiJson.WriteUsage(w, prompt, completion.Sum());
                w.WriteEndObject();
            }, cancel);
        }

        await events.WriteRawAsync("[DONE]", cancel);
    }

    // The headers are sent: a failure of the cluster call (a lost silo, a faulted choice) can only travel as an event.
    private static async Task<bool> NextAsync(IAsyncEnumerator<(int Index, GenerateChunk Chunk)> chunks, ServerSentEvents events, CancellationToken cancel)
    {
        try
        {
            return await chunks.MoveNextAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = ex is InferenceException inference ? new InferenceError(inference.Code, inference.Message) : new InferenceError(InferenceErrorCode.Internal, $"the generation failed: {ex.Message}");
            await events.WriteAsync(w => WriteStreamError(w, error), cancel);
            return false;
        }
    }

    private static void WriteChunk(Utf8JsonWriter w, OpenAiGenerationCall call, string id, string objectType, long created, int index, string text,
        GenerateTokenLogprob[]? logprobs, GenerateFinishReason? finish, bool role, int textOffset = 0)
    {
        w.WriteStartObject();
        OpenAiJson.WriteHeader(w, id, objectType, created, call.Model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", index);
        var shown = call.Request.Logprobs ? logprobs ?? [] : null;
        if (call.Chat)
        {
            w.WriteStartObject("delta");
            if (role)
            {
                w.WriteString("role", "assistant");
                w.WriteString("content", "");
            }
            else if (text.Length > 0)
            {
                w.WriteString("content", text);
            }

            w.WriteEndObject();
            OpenAiJson.WriteChatLogprobs(w, role ? null : shown);
        }
        else
        {
            w.WriteString("text", text);
            OpenAiJson.WriteCompletionLogprobs(w, shown, textOffset);
        }

        w.WriteString("finish_reason", OpenAiJson.FinishReason(finish));
        w.WriteEndObject();
        w.WriteEndArray();
        if (call.IncludeUsage)
        {
            w.WriteNull("usage");
        }

        w.WriteEndObject();
    }

    private static void WriteStreamError(Utf8JsonWriter w, InferenceError error)
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", error.Message);
        w.WriteString("type", error.Code == InferenceErrorCode.InvalidInput ? "invalid_request_error" : "server_error");
        w.WriteNull("param");
        w.WriteNull("code");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static async Task ListModelsAsync(HttpContext context)
    {
        var dataPlane = context.RequestServices.GetRequiredService<IInferenceDataPlane>();
        var models = (await dataPlane.GetRepositoryIndexAsync(false, context.RequestAborted)).Select(e => e.Name).Where(m => ApiKeyIdentity.Allows(context, m)).Distinct().Order(StringComparer.Ordinal).ToList();
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        foreach (var model in models)
        {
            WriteModel(writer, model);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static async Task GetModelAsync(HttpContext context, string id)
    {
        ApiKeyIdentity.Demand(context, id);
        var dataPlane = context.RequestServices.GetRequiredService<IInferenceDataPlane>();
        var known = (await dataPlane.GetRepositoryIndexAsync(false, context.RequestAborted)).Any(e => e.Name == id);
        if (!known)
        {
            throw new InferenceException(InferenceErrorCode.ModelNotFound, $"the model '{id}' does not exist");
        }

        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        WriteModel(writer, id);
        await writer.FlushAsync(context.RequestAborted);
    }

    private static void WriteModel(Utf8JsonWriter writer, string model)
    {
        writer.WriteStartObject();
        writer.WriteString("id", model);
        writer.WriteString("object", "model");
        writer.WriteNumber("created", StartedAt);
        writer.WriteString("owned_by", "grainserve");
        writer.WriteEndObject();
    }

    // OpenAI's "created" of a model: here, when this gateway started serving it.
    private static readonly long StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
