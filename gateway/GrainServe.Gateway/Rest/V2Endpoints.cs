using System.Text.Json;
using GrainServe.Errors;
using GrainServe.Gateway.Auth;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Errors;
using GrainServe.Models;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// The Open Inference Protocol's REST routes (inference_rest.md), all in one place, over <see cref="IInferenceDataPlane"/>.
/// </summary>
public static class V2Endpoints
{
    /// <summary>
    /// Maps the protocol's liveness and readiness routes, <c>/v2/health/live</c> and <c>/v2/health/ready</c>: a group of
    /// their own, outside <see cref="MapV2Endpoints"/>'s, so that probes stay open whatever guards the API.
    /// </summary>
    public static RouteGroupBuilder MapV2HealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var health = endpoints.MapGroup("/v2/health");
        health.MapGet("/live", (HttpContext context) => WriteJsonAsync(context, StatusCodes.Status200OK, w => w.WriteBoolean("live", true)));
        health.MapGet("/ready", ServerReadyAsync);
        return health;
    }

    /// <summary>Maps the V2 routes but health (<see cref="MapV2HealthEndpoints"/>).</summary>
    public static RouteGroupBuilder MapV2Endpoints(this IEndpointRouteBuilder endpoints)
    {
        var v2 = endpoints.MapGroup("/v2");
        // Routing ignores a trailing slash, so this serves both /v2 and /v2/.
        v2.MapGet("", ServerMetadataAsync);
        v2.MapGet("/models/{model}", (HttpContext c, string model) => ModelMetadataAsync(c, model, null));
        v2.MapGet("/models/{model}/versions/{version}", (HttpContext c, string model, string version) => ModelMetadataAsync(c, model, version));
        v2.MapGet("/models/{model}/ready", (HttpContext c, string model) => ModelReadyAsync(c, model, null));
        v2.MapGet("/models/{model}/versions/{version}/ready", (HttpContext c, string model, string version) => ModelReadyAsync(c, model, version));
        v2.MapPost("/models/{model}/infer", (HttpContext c, string model) => InferAsync(c, model, null));
        v2.MapPost("/models/{model}/versions/{version}/infer", (HttpContext c, string model, string version) => InferAsync(c, model, version));
        v2.MapGenerateEndpoints();
        v2.MapTrafficEndpoints();

        // Triton's extensions: statistics, model configuration, model repository.
        v2.MapGet("/models/stats", (HttpContext c) => StatisticsAsync(c, null, null));
        v2.MapGet("/models/{model}/stats", (HttpContext c, string model) => StatisticsAsync(c, model, null));
        v2.MapGet("/models/{model}/versions/{version}/stats", (HttpContext c, string model, string version) => StatisticsAsync(c, model, version));
        v2.MapGet("/models/{model}/config", (HttpContext c, string model) => ConfigAsync(c, model, null));
        v2.MapGet("/models/{model}/versions/{version}/config", (HttpContext c, string model, string version) => ConfigAsync(c, model, version));
        v2.MapPost("/repository/index", RepositoryIndexAsync);
        v2.MapPost("/repository/models/{model}/load", LoadAsync);
        v2.MapPost("/repository/models/{model}/unload", UnloadAsync);

        // GrainServe's own, for operators: the cluster's devices, a model's instances.
        v2.MapGet("/cluster/devices", DevicesAsync);
        v2.MapGet("/models/{model}/instances", (HttpContext c, string model) => InstancesAsync(c, model, null));
        v2.MapGet("/models/{model}/versions/{version}/instances", (HttpContext c, string model, string version) => InstancesAsync(c, model, version));
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
        // Read first: the client's budget runs from when the gateway starts on its request.
        var deadline = DeadlineHeader.Read(context);
        var request = await InferenceRequestJsonReader.ReadAsync(context.Request, HeaderLength(context), version, context.RequestAborted);
        var inference = deadline is null ? request.Request : request.Request.WithDeadline(deadline);
        var result = await DataPlaneOf(context).InferAsync(model, inference, RoutingHeaders.Of(context), context.RequestAborted);
        RoutingHeaders.SetModelVersion(context, result.Response?.ModelVersion);
        if (result.Error is { } error)
        {
            await ErrorResponse.WriteAsync(context, error.Code, error.Message);
            return;
        }

        await InferenceResponseJsonWriter.WriteAsync(context, result.Response!, request);
    }

    private static async Task StatisticsAsync(HttpContext context, string? model, string? version)
    {
        var statistics = (await DataPlaneOf(context).GetStatisticsAsync(model, version, context.RequestAborted)).Where(s => ApiKeyIdentity.Allows(context, s.Name)).ToArray();
        await WriteJsonAsync(context, StatusCodes.Status200OK, w => ExtensionJson.WriteStatistics(w, statistics), wrapInObject: false);
    }

    private static async Task ConfigAsync(HttpContext context, string model, string? version)
    {
        var config = await DataPlaneOf(context).GetModelConfigAsync(model, version, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ModelConfigJson.Write(config), context.RequestAborted);
    }

    private static async Task RepositoryIndexAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
        var readyOnly = false;
        if (body.Length > 0)
        {
            using var document = ParseJsonObject(body);
            if (JsonFields.TryGetProperty(document.RootElement, "ready", out var ready))
            {
                readyOnly = ready.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new InferenceException(InferenceErrorCode.InvalidInput, "\"ready\" must be true or false"),
                };
            }
        }

        var index = (await DataPlaneOf(context).GetRepositoryIndexAsync(readyOnly, context.RequestAborted)).Where(e => ApiKeyIdentity.Allows(context, e.Name)).ToArray();
        await WriteJsonAsync(context, StatusCodes.Status200OK, w => ExtensionJson.WriteIndex(w, index), wrapInObject: false);
    }

    private static async Task LoadAsync(HttpContext context, string model)
    {
        var body = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
        string? config = null;
        if (body.Length > 0)
        {
            using var document = ParseJsonObject(body);
            if (JsonFields.TryGetProperty(document.RootElement, "parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                && JsonFields.TryGetProperty(parameters, "config", out var configElement))
            {
                // Triton sends the config as a JSON string; an inline object is accepted too.
                config = configElement.ValueKind switch
                {
                    JsonValueKind.String => JsonFields.String(configElement, "parameters.config"),
                    JsonValueKind.Object => JsonFields.RawText(configElement, "parameters.config"),
                    _ => throw new InferenceException(InferenceErrorCode.InvalidInput, "parameter \"config\" must be a JSON model configuration, as a string or an object"),
                };
            }
        }

        await DataPlaneOf(context).LoadModelAsync(model, config, context.RequestAborted);
        await WriteJsonAsync(context, StatusCodes.Status200OK, _ => { });
    }

    private static async Task UnloadAsync(HttpContext context, string model)
    {
        await DataPlaneOf(context).UnloadModelAsync(model, context.RequestAborted);
        await WriteJsonAsync(context, StatusCodes.Status200OK, _ => { });
    }

    private static async Task DevicesAsync(HttpContext context)
    {
        var devices = await DataPlaneOf(context).GetDevicesAsync(context.RequestAborted);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, devices, DeviceJson, context.RequestAborted);
    }

    private static async Task InstancesAsync(HttpContext context, string model, string? version)
    {
        var instances = await DataPlaneOf(context).GetModelInstancesAsync(model, version, context.RequestAborted);
        await WriteJsonAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteString("name", model);
            w.WriteStartArray("instances");
            foreach (var instance in instances)
            {
                w.WriteStartObject();
                w.WriteString("version", instance.Version);
                w.WriteString("device", instance.DeviceKey);
                w.WriteString("instance_id", instance.InstanceId);
                w.WriteString("state", instance.State.ToString().ToUpperInvariant());
                w.WriteNumber("pending", instance.Pending);
                w.WriteNumber("memory_bytes", instance.MemoryBytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static readonly JsonSerializerOptions DeviceJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private static JsonDocument ParseJsonObject(ReadOnlyMemory<byte> body)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new InferenceException(InferenceErrorCode.InvalidInput, "the request body must be a JSON object");
            }

            return document;
        }
        catch (JsonException ex)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"the request body is not valid JSON: {ex.Message}");
        }
    }

    private static long? HeaderLength(HttpContext context)
    {
        var value = context.Request.Headers[InferenceRequestJsonReader.HeaderLengthHeader];
        if (value.Count == 0)
        {
            return null;
        }

        return long.TryParse(value[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
            ? length
            : throw new InferenceException(InferenceErrorCode.InvalidInput, $"{InferenceRequestJsonReader.HeaderLengthHeader} '{value[0]}' is not a byte count");
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

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> writeProperties, bool wrapInObject = true)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, ProtocolJson.WriterOptions);
        if (wrapInObject)
        {
            writer.WriteStartObject();
        }

        writeProperties(writer);
        if (wrapInObject)
        {
            writer.WriteEndObject();
        }

        await writer.FlushAsync(context.RequestAborted);
    }

    private static IInferenceDataPlane DataPlaneOf(HttpContext context) => context.RequestServices.GetRequiredService<IInferenceDataPlane>();
}
