using System.Text;
using System.Text.Json;
using GrainServe.Errors;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Errors;
using GrainServe.Generation;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// The Open Inference Protocol's generate extension (generate_rest.yaml): <c>POST /v2/models/{m}[/versions/{v}]/generate</c>
/// and <c>/generate_stream</c>, with its error statuses: 422 for invalid input, 424 for a failed generation, 429 when the
/// model is overloaded (and 404 for an unknown model, 503 while it is not ready, as the other V2 routes).
/// </summary>
internal static class GenerateEndpoints
{
    /// <summary>Maps the routes on the <c>/v2</c> group.</summary>
    public static void MapGenerateEndpoints(this RouteGroupBuilder v2)
    {
        v2.MapPost("/models/{model}/generate", (HttpContext c, string model) => GenerateAsync(c, model, null, stream: false));
        v2.MapPost("/models/{model}/versions/{version}/generate", (HttpContext c, string model, string version) => GenerateAsync(c, model, version, stream: false));
        v2.MapPost("/models/{model}/generate_stream", (HttpContext c, string model) => GenerateAsync(c, model, null, stream: true));
        v2.MapPost("/models/{model}/versions/{version}/generate_stream", (HttpContext c, string model, string version) => GenerateAsync(c, model, version, stream: true));
    }

    private static async Task GenerateAsync(HttpContext context, string model, string? version, bool stream)
    {
        GenerateRequest request;
        bool details;
        try
        {
            using var document = await JsonFields.ReadObjectAsync(context.Request, context.RequestAborted);
            (request, details) = Read(document.RootElement, version);
            request = request with { Deadline = DeadlineHeader.Read(context) };
        }
        catch (InferenceException ex) when (ex.Code == InferenceErrorCode.InvalidInput)
        {
            await WriteErrorAsync(context, StatusCodes.Status422UnprocessableEntity, ex.Message);
            return;
        }

        var dataPlane = context.RequestServices.GetRequiredService<IInferenceDataPlane>();
        var cancel = context.RequestAborted;
        await using var chunks = dataPlane.GenerateAsync(model, request, RoutingHeaders.Of(context), cancel).GetAsyncEnumerator(cancel);
        if (!await chunks.MoveNextAsync())
        {
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "Incomplete generation");
            return;
        }

        if (chunks.Current.Error is { } first)
        {
            await WriteErrorAsync(context, Status(first.Code), first.Message);
            return;
        }

        RoutingHeaders.SetModelVersion(context, chunks.Current);
        if (stream)
        {
            var events = new ServerSentEvents(context.Response);
            await events.StartAsync(cancel);
            do
            {
                var chunk = chunks.Current;
                if (chunk.Error is { } error)
                {
                    await events.WriteAsync(w => { w.WriteStartObject(); w.WriteString("error", error.Message); w.WriteEndObject(); }, cancel);
                    break;
                }

                if (chunk.TokenIds.Length == 0 && chunk.Text.Length == 0 && chunk.FinishReason is null)
                {
                    continue;
                }

                await events.WriteAsync(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("text_output", chunk.Text);
                    w.WriteString("model_name", model);
                    w.WriteString("model_version", chunk.ModelVersion);
                    if (details)
                    {
                        w.WriteStartObject("details");
                        WriteFinish(w, chunk.FinishReason);
                        if (chunk.Logprobs is { Length: > 0 } tokens)
                        {
                            w.WritePropertyName("token");
                            WriteToken(w, tokens[^1]);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                }, cancel);
            }
            while (await NextAsync(chunks, events, cancel));

            return;
        }

        var text = new StringBuilder();
        var logprobs = new List<GenerateTokenLogprob>();
        GenerateFinishReason? finish = null;
        var modelVersion = chunks.Current.ModelVersion;
        do
        {
            var chunk = chunks.Current;
            if (chunk.Error is { } error)
            {
                await WriteErrorAsync(context, error.Code == InferenceErrorCode.Internal ? StatusCodes.Status424FailedDependency : Status(error.Code), error.Message);
                return;
            }

            text.Append(chunk.Text);
            logprobs.AddRange(chunk.Logprobs ?? []);
            finish = chunk.FinishReason ?? finish;
        }
        while (await chunks.MoveNextAsync());

        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("text_output", text.ToString());
        writer.WriteString("model_name", model);
        writer.WriteString("model_version", modelVersion);
        if (details)
        {
            writer.WriteStartObject("details");
            WriteFinish(writer, finish);
            writer.WriteStartArray("logprobs");
            foreach (var token in logprobs)
            {
                WriteToken(writer, token);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        await writer.FlushAsync(cancel);
    }

    // The headers are sent: a failure of the cluster call (a lost silo) can only travel as an event.
    private static async Task<bool> NextAsync(IAsyncEnumerator<GenerateChunk> chunks, ServerSentEvents events, CancellationToken cancel)
    {
        try
        {
            return await chunks.MoveNextAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await events.WriteAsync(w => { w.WriteStartObject(); w.WriteString("error", $"Incomplete generation: {ex.Message}"); w.WriteEndObject(); }, cancel);
            return false;
        }
    }

    private static (GenerateRequest Request, bool Details) Read(JsonElement root, string? version)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (JsonFields.Name(property) is not ("text_input" or "parameters" or "id") and var name)
            {
                throw JsonFields.Invalid($"unknown field \"{name}\"; a generate request has \"text_input\" and \"parameters\"");
            }
        }

        var text = JsonFields.TryGet(root, "text_input", out var input) ? JsonFields.String(input, "text_input") : throw JsonFields.Invalid("\"text_input\" is required");

        // The spec's default max_tokens is 20.
        var request = new GenerateRequest { ModelVersion = version, Prompt = text, MaxTokens = 20 };
        var details = false;
        if (JsonFields.TryGet(root, "parameters", out var parameters))
        {
            if (parameters.ValueKind != JsonValueKind.Object)
            {
                throw JsonFields.Invalid("\"parameters\" must be an object");
            }

            foreach (var p in parameters.EnumerateObject())
            {
                var name = JsonFields.Name(p);
                if (p.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (name == "details")
                {
                    details = JsonFields.Bool(p.Value, name);
                    continue;
                }

                request = SamplingFields.Apply(request, name, p.Value)
                    ?? throw JsonFields.Invalid($"parameter \"{name}\" is not supported; use details, {string.Join(", ", SamplingFields.Names)}");
            }
        }

        // Per-token logprobs are part of the details.
        return (details ? request with { Logprobs = true } : request, details);
    }

    // The generate extension's statuses where it names one; the other V2 routes' otherwise.
    private static int Status(InferenceErrorCode code) => code switch
    {
        InferenceErrorCode.InvalidInput => StatusCodes.Status422UnprocessableEntity,
        InferenceErrorCode.QueueFull => StatusCodes.Status429TooManyRequests,
        InferenceErrorCode.Internal => StatusCodes.Status424FailedDependency,
        _ => InferenceErrorStatus.ToHttp(code),
    };

    private static void WriteFinish(Utf8JsonWriter writer, GenerateFinishReason? finish)
    {
        switch (finish)
        {
            case GenerateFinishReason.Length:
                writer.WriteString("finish_reason", "length");
                break;
            case GenerateFinishReason.EndOfSequence:
                writer.WriteString("finish_reason", "eos_token");
                break;
            case GenerateFinishReason.StopString:
                writer.WriteString("finish_reason", "stop_sequence");
                break;
            default:
                writer.WriteNull("finish_reason");
                break;
        }
    }

    private static void WriteToken(Utf8JsonWriter writer, GenerateTokenLogprob token)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", token.TokenId);
        writer.WriteString("text", token.Text);
        writer.WriteNumber("logprob", token.Logprob);
        writer.WriteBoolean("special", token.Special);
        writer.WriteEndObject();
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}
