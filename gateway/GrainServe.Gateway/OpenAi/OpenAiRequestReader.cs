using System.Text.Json;
using GrainServe.Gateway.Rest;
using GrainServe.Generation;

namespace GrainServe.Gateway.OpenAi;

/// <summary>
/// Reads OpenAI's completions and chat completions bodies into a <see cref="GenerateRequest"/>. Every field is either
/// served or refused with a 400 that names it: nothing is silently ignored. Range checks of the sampling values are the
/// engine's (one place, the same for every route); this reader checks shapes and types.
/// </summary>
internal static class OpenAiRequestReader
{
    // Fields that change what the client gets, which this server does not do: refused unless null (or their no-op value).
    private static readonly string[] Unsupported =
        ["tools", "tool_choice", "functions", "function_call", "response_format", "logit_bias", "suffix", "audio", "modalities", "prediction", "web_search_options", "reasoning_effort"];

    // Fields that are accepted and have no effect on a self-hosted server (OpenAI's bookkeeping).
    private static readonly string[] Accepted = ["user", "store", "metadata", "service_tier", "parallel_tool_calls"];

    private static readonly string[] Common =
        ["model", "max_tokens", "temperature", "top_p", "n", "stream", "stream_options", "stop", "seed", "presence_penalty", "frequency_penalty",
         "logprobs", "top_k", "min_p", "repetition_penalty", "ignore_eos", "priority"];

    private static readonly string[] CompletionOnly = ["prompt", "echo", "best_of"];

    private static readonly string[] ChatOnly = ["messages", "max_completion_tokens", "top_logprobs"];

    /// <summary>Reads a <c>/v1/completions</c> body.</summary>
    public static OpenAiGenerationCall ReadCompletion(JsonElement root)
    {
        CheckFields(root, CompletionOnly);
        if (JsonFields.TryGet(root, "echo", out var echo) && JsonFields.Bool(echo, "echo"))
        {
            throw JsonFields.Invalid("\"echo\" is not supported by this server; leave it out or set it to false");
        }

        if (JsonFields.TryGet(root, "best_of", out var bestOf) && JsonFields.Int(bestOf, "best_of") != 1)
        {
            throw JsonFields.Invalid("\"best_of\" is not supported by this server; leave it out or set it to 1");
        }

        if (!JsonFields.TryGet(root, "prompt", out var prompt))
        {
            throw JsonFields.Invalid("\"prompt\" is required: a string, or an array of token ids");
        }

        var request = prompt.ValueKind switch
        {
            JsonValueKind.String => new GenerateRequest { Prompt = JsonFields.String(prompt, "prompt") },
            JsonValueKind.Array when prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String => new GenerateRequest { Prompt = JsonFields.String(prompt[0], "prompt") },
            JsonValueKind.Array when prompt.GetArrayLength() > 0 && prompt.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number)
                => new GenerateRequest { PromptTokenIds = prompt.EnumerateArray().Select(e => JsonFields.Int(e, "prompt")).ToArray() },
            JsonValueKind.Array when prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.Array && prompt[0].GetArrayLength() > 0
                => new GenerateRequest { PromptTokenIds = prompt[0].EnumerateArray().Select(e => JsonFields.Int(e, "prompt")).ToArray() },
            JsonValueKind.Array => throw JsonFields.Invalid("\"prompt\" as an array must be one string or a non-empty array of token ids (batches of prompts are not supported: send one request each)"),
            _ => throw JsonFields.Invalid("\"prompt\" must be a string, or an array of token ids"),
        };

        // Completions' logprobs is an integer: how many alternatives per position (0 to 5), the chosen token always included.
        if (JsonFields.TryGet(root, "logprobs", out var logprobs))
        {
            var top = logprobs.ValueKind == JsonValueKind.Number ? JsonFields.Int(logprobs, "logprobs") : throw JsonFields.Invalid("\"logprobs\" must be an integer from 0 to 5 on /v1/completions");
            if (top is < 0 or > 5)
            {
                throw JsonFields.Invalid($"\"logprobs\" is {top}; on /v1/completions it must be from 0 to 5");
            }

            request = request with { Logprobs = true, TopLogprobs = top };
        }

        return ReadCommon(root, request, chat: false, maxTokensDefault: 16);
    }

    /// <summary>Reads a <c>/v1/chat/completions</c> body.</summary>
    public static OpenAiGenerationCall ReadChat(JsonElement root)
    {
        CheckFields(root, ChatOnly);
        if (!JsonFields.TryGet(root, "messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            throw JsonFields.Invalid("\"messages\" is required: a non-empty array of {\"role\", \"content\"}");
        }

        var turns = new List<ChatTurn>();
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw JsonFields.Invalid("each of \"messages\" must be an object with \"role\" and \"content\"");
            }

            var role = JsonFields.TryGet(message, "role", out var r) ? JsonFields.String(r, "messages[].role") : throw JsonFields.Invalid("each message needs a \"role\"");
            if (role is not ("system" or "user" or "assistant" or "developer"))
            {
                throw JsonFields.Invalid($"message role '{role}' is not supported; use system, user or assistant");
            }

            if (JsonFields.TryGetProperty(message, "tool_calls", out var calls) && calls.ValueKind != JsonValueKind.Null)
            {
                throw JsonFields.Invalid("\"tool_calls\" in messages are not supported by this server");
            }

            turns.Add(new ChatTurn(role == "developer" ? "system" : role, Content(message)));
        }

        var request = new GenerateRequest { Messages = [.. turns] };
        var logprobs = JsonFields.TryGet(root, "logprobs", out var l) && JsonFields.Bool(l, "logprobs");
        var top = JsonFields.TryGet(root, "top_logprobs", out var t) ? JsonFields.Int(t, "top_logprobs") : 0;
        if (top is < 0 or > 20)
        {
            throw JsonFields.Invalid($"\"top_logprobs\" is {top}; it must be from 0 to 20");
        }

        if (top > 0 && !logprobs)
        {
            throw JsonFields.Invalid("\"top_logprobs\" needs \"logprobs\": true");
        }

        request = request with { Logprobs = logprobs, TopLogprobs = top };
        if (JsonFields.TryGet(root, "max_completion_tokens", out var maxCompletion))
        {
            request = request with { MaxTokens = JsonFields.Int(maxCompletion, "max_completion_tokens") };
        }

        return ReadCommon(root, request, chat: true, maxTokensDefault: null);
    }

    private static string Content(JsonElement message)
    {
        if (!JsonFields.TryGet(message, "content", out var content))
        {
            throw JsonFields.Invalid("each message needs \"content\"");
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return JsonFields.String(content, "messages[].content");
        }

        // The array form: text parts only.
        if (content.ValueKind == JsonValueKind.Array)
        {
            var parts = new List<string>();
            foreach (var part in content.EnumerateArray())
            {
                var type = part.ValueKind == JsonValueKind.Object && JsonFields.TryGet(part, "type", out var ty) ? JsonFields.String(ty, "content[].type") : null;
                if (type != "text" || !JsonFields.TryGet(part, "text", out var text))
                {
                    throw JsonFields.Invalid($"message content part of type '{type}' is not supported; this model takes text parts only");
                }

                parts.Add(JsonFields.String(text, "content[].text"));
            }

            return string.Concat(parts);
        }

        throw JsonFields.Invalid("message \"content\" must be a string or an array of text parts");
    }

    private static OpenAiGenerationCall ReadCommon(JsonElement root, GenerateRequest request, bool chat, int? maxTokensDefault)
    {
        var model = JsonFields.TryGet(root, "model", out var m) && JsonFields.String(m, "model") is { Length: > 0 } name ? name : throw JsonFields.Invalid("\"model\" must be a non-empty string");
        if (request.MaxTokens is null)
        {
            request = request with { MaxTokens = JsonFields.TryGet(root, "max_tokens", out var max) ? JsonFields.Int(max, "max_tokens") : maxTokensDefault };
        }

        // The sampling fields OpenAI and vLLM name alike, read as the generate extension and gRPC read them; max_tokens
        // (its per-route default) and stop (OpenAI's limit of 4) are this route's own.
        foreach (var field in SamplingFields.Names.Except(["max_tokens", "stop"]))
        {
            if (JsonFields.TryGet(root, field, out var value))
            {
                request = SamplingFields.Apply(request, field, value)!;
            }
        }

        if (JsonFields.TryGet(root, "stop", out var stop))
        {
            var stops = JsonFields.Strings(stop, "stop");
            if (stops.Length > 4 || stops.Any(s => s.Length == 0))
            {
                throw JsonFields.Invalid("\"stop\" takes up to 4 non-empty strings");
            }

            request = request with { Stop = stops };
        }

        var n = JsonFields.TryGet(root, "n", out var count) ? JsonFields.Int(count, "n") : 1;
        if (n is < 1 or > 128)
        {
            throw JsonFields.Invalid($"\"n\" is {n}; it must be from 1 to 128");
        }

        var stream = JsonFields.TryGet(root, "stream", out var s) && JsonFields.Bool(s, "stream");
        var includeUsage = false;
        if (JsonFields.TryGet(root, "stream_options", out var options))
        {
            if (!stream)
            {
                throw JsonFields.Invalid("\"stream_options\" is only allowed with \"stream\": true");
            }

            includeUsage = options.ValueKind == JsonValueKind.Object && JsonFields.TryGet(options, "include_usage", out var usage)
                ? JsonFields.Bool(usage, "stream_options.include_usage")
                : options.ValueKind == JsonValueKind.Object ? false : throw JsonFields.Invalid("\"stream_options\" must be an object");
        }

        return new OpenAiGenerationCall(model, request, n, stream, includeUsage, chat);
    }

    private static void CheckFields(JsonElement root, string[] routeFields)
    {
        foreach (var property in root.EnumerateObject())
        {
            var name = JsonFields.Name(property);
            if (Unsupported.Contains(name))
            {
                if (property.Value.ValueKind != JsonValueKind.Null && !(property.Value.ValueKind == JsonValueKind.Object && !property.Value.EnumerateObject().Any()))
                {
                    throw JsonFields.Invalid($"\"{name}\" is not supported by this server; leave it out");
                }
            }
            else if (!Common.Contains(name) && !routeFields.Contains(name) && !Accepted.Contains(name))
            {
                throw JsonFields.Invalid($"unknown field \"{name}\"");
            }
        }
    }
}
