using System.Text.Json;
using GrainServe.Errors;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Errors;
using GrainServe.Models;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// The Open Inference Protocol's REST routes (inference_rest.md), all in one place, over <see cref="IInferenceDataPlane"/>.
/// </summary>
public static class V2Endpoints
{
    /// <summary>Maps the V2 routes.</summary>
    public static RouteGroupBuilder MapV2Endpoints(this IEndpointRouteBuilder endpoints)
    {
        var v2 = endpoints.MapGroup("/v2");
        // Routing ignores a trailing slash, so this serves both /v2 and /v2/.
        v2.MapGet("", ServerMetadataAsync);
        v2.MapGet("/health/live", (HttpContext context) => WriteJsonAsync(context, StatusCodes.Status200OK, w => w.WriteBoolean("live", true)));
        v2.MapGet("/health/ready", ServerReadyAsync);
        v2.MapGet("/models/{model}", (HttpContext c, string model) => ModelMetadataAsync(c, model, null));
        v2.MapGet("/models/{model}/versions/{version}", (HttpContext c, string model, string version) => ModelMetadataAsync(c, model, version));
        v2.MapGet("/models/{model}/ready", (HttpContext c, string model) => ModelReadyAsync(c, model, null));
        v2.MapGet("/models/{model}/versions/{version}/ready", (HttpContext c, string model, string version) => ModelReadyAsync(c, model, version));
        v2.MapPost("/models/{model}/infer", (HttpContext c, string model) => InferAsync(c, model, null));
        v2.MapPost("/models/{model}/versions/{version}/infer", (HttpContext c, string model, string version) => InferAsync(c, model, version));
        return v2;
    }

    private static Task ServerMetadataAsync(HttpContext context)
    {
        var metadata = DataPlaneOf(context).GetServerMetadata();
        return WriteJsonAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteString("name", metadata.Name);
            w.WriteString("version", metadata.Version);
            w.WriteStartArray("extensions");
            foreach (var extension in metadata.Extensions)
            {
                w.WriteStringValue(extension);
            }

            w.WriteEndArray();
        });
    }

    private static async Task ServerReadyAsync(HttpContext context)
    {
        var ready = await DataPlaneOf(context).IsReadyAsync(context.RequestAborted);
        await WriteJsonAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, w => w.WriteBoolean("ready", ready));
    }

    private static async Task ModelMetadataAsync(HttpContext context, string model, string? version)
    {
        var metadata = await DataPlaneOf(context).GetModelMetadataAsync(model, version, context.RequestAborted);
        await WriteJsonAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteString("name", metadata.Name);
            w.WriteStartArray("versions");
            foreach (var v in metadata.Versions)
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
            w.WriteString("platform", metadata.Platform);
            WriteTensors(w, "inputs", metadata.Inputs);
            WriteTensors(w, "outputs", metadata.Outputs);
            // Not in the protocol's metadata object; added so that a broken model says why (Triton puts it in the repository index).
            w.WriteString("state", metadata.State.ToString().ToUpperInvariant());
            if (metadata.Reason is not null)
            {
                w.WriteString("reason", metadata.Reason);
            }
        });
    }

    private static async Task ModelReadyAsync(HttpContext context, string model, string? version)
    {
        var ready = await DataPlaneOf(context).IsModelReadyAsync(model, version, context.RequestAborted);
        await WriteJsonAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, w =>
        {
            w.WriteString("name", model);
            w.WriteBoolean("ready", ready);
        });
    }

    private static async Task InferAsync(HttpContext context, string model, string? version)
    {
        var body = await ReadBodyAsync(context);
        var request = InferenceRequestJsonReader.Read(body, version);
        var result = await DataPlaneOf(context).InferAsync(model, request, context.RequestAborted);
        if (result.Error is { } error)
        {
            await ErrorResponse.WriteAsync(context, error.Code, error.Message);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        InferenceResponseJsonWriter.Write(writer, result.Response!);
        await writer.FlushAsync(context.RequestAborted);
    }

    // Kestrel enforces MaxRequestBodySize while this reads, throwing a 413 BadHttpRequestException.
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context)
    {
        var length = context.Request.ContentLength;
        using var buffer = new MemoryStream(length is > 0 and < int.MaxValue ? (int)length : 4096);
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length == 0)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, "the request body is empty; send a JSON inference request");
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static void WriteTensors(Utf8JsonWriter writer, string property, TensorMetadata[] tensors)
    {
        writer.WriteStartArray(property);
        foreach (var tensor in tensors)
        {
            writer.WriteStartObject();
            ProtocolJson.WriteTensorHeader(writer, tensor.Name, tensor.Datatype, tensor.Shape);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> writeProperties)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        writer.WriteStartObject();
        writeProperties(writer);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static IInferenceDataPlane DataPlaneOf(HttpContext context) => context.RequestServices.GetRequiredService<IInferenceDataPlane>();
}
