using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.Auth;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.OpenAi;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// OpenAI's routes: embeddings (<c>POST /v1/embeddings</c>) over any model with one BYTES input and an FP32
/// <c>[-1, dim]</c> output, such as a sentence embedding pipeline, and the text generation routes of
/// <see cref="OpenAiGenerationEndpoints"/> and the speech-to-text routes of <see cref="OpenAiAudioEndpoints"/>. Errors use
/// OpenAI's error shape.
/// </summary>
public static class OpenAiEndpoints
{
    /// <summary>Maps the OpenAI-compatible routes.</summary>
    public static RouteGroupBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/v1");
        v1.AddEndpointFilter(async (context, next) =>
        {
            // OpenAI clients expect {"error": {"message", "type", ...}}: this protocol's one error boundary.
            try
            {
                return await next(context);
            }
            catch (InferenceException ex)
            {
                await OpenAiErrorResponse.WriteAsync(context.HttpContext, ex.Code, ex.Message);
                return Results.Empty;
            }
        });
        v1.MapPost("/embeddings", (HttpContext context) => EmbeddingsAsync(context));
        v1.MapOpenAiGenerationEndpoints();
        v1.MapOpenAiAudioEndpoints();
        v1.MapOpenAiVoiceEndpoints();
        v1.MapOpenAiSpeechEndpoints();
        return v1;
    }

    private static async Task EmbeddingsAsync(HttpContext context)
    {
        var deadline = DeadlineHeader.Read(context);
        var (model, texts, dimensions, base64) = await ReadRequestAsync(context);
        ApiKeyIdentity.Demand(context, model);
        var dataPlane = context.RequestServices.GetRequiredService<IInferenceDataPlane>();
        var metadata = await dataPlane.GetModelMetadataAsync(model, null, context.RequestAborted);
        var input = metadata.Inputs.Length == 1 && metadata.Inputs[0].Datatype == InferDatatype.Bytes ? metadata.Inputs[0]
            : throw Invalid($"model '{model}' does not take text: it needs one BYTES input");
        var embedding = metadata.Outputs.FirstOrDefault(o => o.Datatype == InferDatatype.Fp32 && o.Shape.Length == 2)
            ?? throw Invalid($"model '{model}' has no FP32 [batch, dim] embedding output");
        var tokenCount = metadata.Outputs.FirstOrDefault(o => o.Datatype == InferDatatype.Int64);
        if (dimensions is { } wanted && wanted != embedding.Shape[1])
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"model '{model}' gives {embedding.Shape[1]}-dimensional embeddings and cannot shorten them; leave out \"dimensions\" or set it to {embedding.Shape[1]}");
        }

        var request = new InferenceRequest(null, null, [new InferTensor(input.Name, InferDatatype.Bytes, [texts.Count, 1], BytesElements.Pack(texts.Select(Encoding.UTF8.GetBytes).ToList()))], null)
        {
            Deadline = deadline,
        };
        var result = await dataPlane.InferAsync(model, request, RoutingHeaders.Of(context), context.RequestAborted);
        RoutingHeaders.SetModelVersion(context, result.Response?.ModelVersion);
        if (result.Error is { } error)
        {
            throw new InferenceException(error);
        }

        var vectors = MemoryMarshal.Cast<byte, float>(result.Response!.Outputs.First(o => o.Name == embedding.Name).Data.AsSpan()).ToArray();
        var tokens = tokenCount is null ? 0 : MemoryMarshal.Cast<byte, long>(result.Response.Outputs.First(o => o.Name == tokenCount.Name).Data.AsSpan()).ToArray().Sum();
        var dim = (int)embedding.Shape[1];

        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        for (var i = 0; i < texts.Count; i++)
        {
            var vector = vectors.AsSpan(i * dim, dim);
            writer.WriteStartObject();
            writer.WriteString("object", "embedding");
            writer.WritePropertyName("embedding");
            if (base64)
            {
                writer.WriteBase64StringValue(MemoryMarshal.AsBytes(vector));
            }
            else
            {
                writer.WriteStartArray();
                foreach (var value in vector)
                {
                    writer.WriteNumberValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteNumber("index", i);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("model", model);
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", tokens);
        writer.WriteNumber("total_tokens", tokens);
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static async Task<(string Model, List<string> Texts, long? Dimensions, bool Base64)> ReadRequestAsync(HttpContext context)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException ex)
        {
            throw Invalid($"the request body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the request body must be a JSON object with \"model\" and \"input\"");
            }

            var model = JsonFields.TryGetProperty(root, "model", out var m) && m.ValueKind == JsonValueKind.String && JsonFields.String(m, "model") is { Length: > 0 } name
                ? name : throw Invalid("\"model\" must be a non-empty string");
            if (!JsonFields.TryGetProperty(root, "input", out var input))
            {
                throw Invalid("\"input\" is required: a string or an array of strings");
            }

            var texts = input.ValueKind switch
            {
                JsonValueKind.String => [JsonFields.String(input, "input")],
                JsonValueKind.Array when input.GetArrayLength() > 0 && input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                    => input.EnumerateArray().Select(e => JsonFields.String(e, "input")).ToList(),
                _ => throw Invalid("\"input\" must be a string or a non-empty array of strings (token arrays are not supported)"),
            };
            long? dimensions = null;
            if (JsonFields.TryGetProperty(root, "dimensions", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                dimensions = d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var value) && value > 0 ? value : throw Invalid("\"dimensions\" must be a positive integer");
            }

            var format = JsonFields.TryGetProperty(root, "encoding_format", out var f) && f.ValueKind == JsonValueKind.String ? JsonFields.String(f, "encoding_format") : "float";
            if (format is not ("float" or "base64"))
            {
                throw Invalid($"\"encoding_format\" '{format}' is not supported; use float or base64");
            }

            return (model, texts, dimensions, format == "base64");
        }
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);
}
