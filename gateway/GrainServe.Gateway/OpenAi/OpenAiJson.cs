using System.Text;
using System.Text.Json;
using GrainServe.Generation;

namespace GrainServe.Gateway.OpenAi;

/// <summary>The JSON shapes of OpenAI's completion and chat completion responses and stream chunks.</summary>
internal static class OpenAiJson
{
    /// <summary>OpenAI's <c>finish_reason</c>: <c>stop</c> for an end-of-sequence token or a stop string, <c>length</c> for max_tokens.</summary>
    public static string? FinishReason(GenerateFinishReason? reason) => reason switch
    {
        null => null,
        GenerateFinishReason.Length => "length",
        GenerateFinishReason.EndOfSequence or GenerateFinishReason.StopString => "stop",
        _ => "error",
    };

    public static void WriteHeader(Utf8JsonWriter writer, string id, string objectType, long created, string model)
    {
        writer.WriteString("id", id);
        writer.WriteString("object", objectType);
        writer.WriteNumber("created", created);
        writer.WriteString("model", model);
    }

    public static void WriteUsage(Utf8JsonWriter writer, int prompt, int completion)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", prompt);
        writer.WriteNumber("completion_tokens", completion);
        writer.WriteNumber("total_tokens", prompt + completion);
        writer.WriteEndObject();
    }

    /// <summary>Chat's <c>logprobs</c>: <c>{"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}]}</c>.</summary>
    public static void WriteChatLogprobs(Utf8JsonWriter writer, IReadOnlyList<GenerateTokenLogprob>? tokens)
    {
        if (tokens is null)
        {
            writer.WriteNull("logprobs");
            return;
        }

        writer.WriteStartObject("logprobs");
        writer.WriteStartArray("content");
        foreach (var token in tokens)
        {
            writer.WriteStartObject();
            WriteChatToken(writer, token);
            writer.WriteStartArray("top_logprobs");
            foreach (var top in token.Top)
            {
                writer.WriteStartObject();
                WriteChatToken(writer, top);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Completions' <c>logprobs</c>: parallel arrays <c>tokens</c>, <c>token_logprobs</c>, <c>top_logprobs</c>, <c>text_offset</c>.</summary>
    public static void WriteCompletionLogprobs(Utf8JsonWriter writer, IReadOnlyList<GenerateTokenLogprob>? tokens, int textOffset)
    {
        if (tokens is null)
        {
            writer.WriteNull("logprobs");
            return;
        }

        writer.WriteStartObject("logprobs");
        writer.WriteStartArray("tokens");
        foreach (var token in tokens)
        {
            writer.WriteStringValue(token.Text);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("token_logprobs");
        foreach (var token in tokens)
        {
            writer.WriteNumberValue(token.Logprob);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("top_logprobs");
        foreach (var token in tokens)
        {
            writer.WriteStartObject();
            foreach (var top in token.Top.DistinctBy(t => t.Text))
            {
                writer.WriteNumber(top.Text, top.Logprob);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("text_offset");
        var offset = textOffset;
        foreach (var token in tokens)
        {
            writer.WriteNumberValue(offset);
            offset += token.Text.Length;
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteChatToken(Utf8JsonWriter writer, GenerateTokenLogprob token)
    {
        writer.WriteString("token", token.Text);
        writer.WriteNumber("logprob", token.Logprob);
        writer.WriteStartArray("bytes");
        foreach (var b in token.Bytes.Length > 0 ? token.Bytes : Encoding.UTF8.GetBytes(token.Text))
        {
            writer.WriteNumberValue(b);
        }

        writer.WriteEndArray();
    }
}
