using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.DataPlane;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// Reads the Open Inference Protocol's JSON inference request (<c>$inference_request</c>), with Triton's binary
/// tensor data extension: when <c>Inference-Header-Content-Length</c> is given, the body is that many bytes of
/// JSON followed by the binary data of the inputs that carry a <c>binary_data_size</c> parameter, in input
/// order. It checks the request's own form (fields, types, shapes, datatypes); the model grain checks it
/// against the model.
/// </summary>
/// <remarks>
/// The body is read in one forward pass with <see cref="Utf8JsonReader"/>: a tensor's <c>data</c> array is decoded
/// as it is read, so a large tensor costs one tokenization and one number parse per element, with no document
/// of its elements built first. The small parts (parameters, outputs) are read as <see cref="JsonElement"/>s.
/// </remarks>
internal static class InferenceRequestJsonReader
{
    /// <summary>The header that gives the JSON part's length in a binary request or response.</summary>
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    /// <summary>Parses the body; throws <see cref="InferenceException"/> with InvalidInput for a malformed request.</summary>
    public static RestInferenceRequest Read(ReadOnlyMemory<byte> body, long? headerLength, string? modelVersion)
    {
        if (headerLength is { } length && (length < 0 || length > body.Length))
        {
            throw Invalid($"{HeaderLengthHeader} is {length} but the body has {body.Length} bytes");
        }

        var json = headerLength is { } jsonLength ? body[..(int)jsonLength] : body;
        var binary = new BinaryClaims(headerLength is { } start ? body.Length - start : 0);
        var request = Parse(json, binary, modelVersion);
        binary.Fill(headerLength is { } offset ? body.Span[(int)offset..] : default);
        return request;
    }

    /// <summary>
    /// Reads and parses a request body. A binary request whose length is known is read in two parts: the JSON
    /// header, then each input's binary data straight from the body into that input's own array, so a tensor is
    /// copied once (from the server's receive buffers); anything else is read whole first.
    /// </summary>
    /// <exception cref="InferenceException">InvalidInput for an empty or malformed request.</exception>
    public static async Task<RestInferenceRequest> ReadAsync(HttpRequest request, long? headerLength, string? modelVersion, CancellationToken cancellationToken)
    {
        if (headerLength is not { } length || request.ContentLength is not { } total)
        {
            var body = await RequestBody.ReadAsync(request, cancellationToken);
            return body.Length == 0 ? throw Empty() : Read(body, headerLength, modelVersion);
        }

        if (total == 0)
        {
            throw Empty();
        }

        if (length < 0 || length > total)
        {
            throw Invalid($"{HeaderLengthHeader} is {length} but the body has {total} bytes");
        }

        var json = new byte[length];
        await request.Body.ReadExactlyAsync(json, cancellationToken);
        var binary = new BinaryClaims(total - length);
        var parsed = Parse(json, binary, modelVersion);
        await binary.FillAsync(request.Body, cancellationToken);
        return parsed;
    }

    private static RestInferenceRequest Parse(ReadOnlyMemory<byte> json, BinaryClaims binary, string? modelVersion)
    {
        try
        {
            return ReadRequest(json, binary, modelVersion);
        }
        catch (JsonException ex)
        {
            throw Invalid($"the request body is not valid JSON: {ex.Message}");
        }
    }

    private static RestInferenceRequest ReadRequest(ReadOnlyMemory<byte> json, BinaryClaims binary, string? modelVersion)
    {
        var reader = new Utf8JsonReader(json.Span, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            // Reading on makes a body that is not JSON at all fail as such rather than as a non-object.
            while (reader.Read())
            {
            }

            throw Invalid("the request body must be a JSON object with an \"inputs\" array");
        }

        string? id = null;
        var binaryByDefault = false;
        List<InferTensor>? inputs = null;
        string[]? outputs = null;
        var binaryOutputs = new Dictionary<string, bool>(StringComparer.Ordinal);
        Dictionary<string, string>? requestParameters = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = JsonFields.Text(ref reader, "a field name");
            reader.Read();
            switch (property)
            {
                case "id":
                    id = reader.TokenType == JsonTokenType.String ? JsonFields.Text(ref reader, "\"id\"") : throw Invalid("\"id\" must be a string");
                    break;
                case "parameters":
                    using (var parameters = JsonDocument.ParseValue(ref reader))
                    {
                        binaryByDefault = BoolParameter(Parameters(parameters.RootElement, "the request"), "binary_data_output") ?? false;
                        requestParameters = ModelParameters(parameters.RootElement);
                    }

                    break;
                case "inputs":
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw Invalid("the request must have an \"inputs\" array");
                    }

                    inputs = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        inputs.Add(ReadInput(ref reader, json, binary));
                    }

                    break;
                case "outputs":
                    using (var document = JsonDocument.ParseValue(ref reader))
                    {
                        outputs = ReadOutputs(document.RootElement, binaryOutputs);
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        // Anything after the object (a second value, stray text) is not valid JSON.
        while (reader.Read())
        {
        }

        if (inputs is null)
        {
            throw Invalid("the request must have an \"inputs\" array");
        }

        if (inputs.Count == 0)
        {
            throw Invalid("\"inputs\" is empty");
        }

        if (binary.Remaining > 0)
        {
            throw Invalid($"the binary part has {binary.Remaining} byte(s) that no input's binary_data_size claims");
        }

        return new RestInferenceRequest(new InferenceRequest(id, modelVersion, [.. inputs], outputs) { Parameters = requestParameters }, binaryByDefault, binaryOutputs);
    }

    // Reads one entry of "inputs"; the reader is on its first token and is left on its last.
    private static InferTensor ReadInput(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json, BinaryClaims binary)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid("each entry of \"inputs\" must be an object with name, shape, datatype and data");
        }

        string? name = null, datatype = null;
        long[]? shape = null;
        long? binarySize = null;
        byte[]? decoded = null;
        ReadOnlyMemory<byte>? pending = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = JsonFields.Text(ref reader, "a field name");
            reader.Read();
            switch (property)
            {
                case "name":
                    name = reader.TokenType == JsonTokenType.String ? JsonFields.Text(ref reader, "an input's \"name\"") : "";
                    break;
                case "datatype":
                    datatype = reader.TokenType == JsonTokenType.String ? JsonFields.Text(ref reader, "an input's \"datatype\"") : "";
                    break;
                case "shape":
                    shape = ReadShape(ref reader, name);
                    break;
                case "parameters":
                    using (var parameters = JsonDocument.ParseValue(ref reader))
                    {
                        binarySize = LongParameter(Parameters(parameters.RootElement, $"input '{name}'"), "binary_data_size", $"input '{name}'");
                    }

                    break;
                case "data" when datatype is not null && InferDatatype.IsKnown(datatype) && !string.IsNullOrEmpty(name) && shape is not null:
                    // The usual order (name, shape, datatype, data): the data decoded in the same pass.
                    decoded = TensorJsonCodec.Decode(name, datatype, ref reader, InferDatatype.ElementCount(shape), json.Length);
                    break;
                case "data":
                    // Any other order or datatype: keep the array's bytes and decode once the input's header is known.
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    pending = json[start..(int)reader.BytesConsumed];
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw Invalid("an input must have a non-empty string \"name\"");
        }

        if (string.IsNullOrEmpty(datatype))
        {
            throw Invalid($"input '{name}' must have a non-empty string \"datatype\"");
        }

        TensorHeader.CheckDatatype(name, datatype);
        if (shape is null)
        {
            throw Invalid($"input '{name}' must have a \"shape\" array");
        }

        TensorHeader.CheckShape(name, shape);
        var hasData = decoded is not null || pending is not null;
        if (binarySize is { } size)
        {
            if (hasData)
            {
                throw Invalid($"input '{name}' has both \"data\" and a binary_data_size; send one");
            }

            if (size > binary.Remaining)
            {
                throw Invalid($"input '{name}' claims {size} binary bytes but only {binary.Remaining} remain in the body");
            }

            return new InferTensor(name, datatype, shape, binary.Take((int)size));
        }

        if (!hasData)
        {
            throw Invalid($"input '{name}' has no \"data\"");
        }

        if (decoded is null)
        {
            // The data came before the header: read its bytes again now that the datatype is known.
            var data = new Utf8JsonReader(pending!.Value.Span, Options);
            data.Read();
            decoded = TensorJsonCodec.Decode(name, datatype, ref data, InferDatatype.ElementCount(shape), pending.Value.Length);
        }

        return new InferTensor(name, datatype, shape, decoded);
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, string? name)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Invalid($"input '{name}' must have a \"shape\" array");
        }

        var shape = new List<long>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
            {
                using var element = JsonDocument.ParseValue(ref reader);
                throw Invalid($"input '{name}' has shape element {JsonFields.Snippet(element.RootElement)}; dimensions are non-negative integers");
            }

            shape.Add(value);
        }

        return [.. shape];
    }

    private static string[]? ReadOutputs(JsonElement outputs, Dictionary<string, bool> binaryOutputs)
    {
        // An empty list filters nothing, as gRPC's empty repeated field: every output (the runtime fails a run that asks for none).
        if (outputs.ValueKind == JsonValueKind.Null || (outputs.ValueKind == JsonValueKind.Array && outputs.GetArrayLength() == 0))
        {
            return null;
        }

        if (outputs.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("\"outputs\" must be an array of {\"name\": ...} objects");
        }

        return outputs.EnumerateArray().Select(o => ReadOutput(o, binaryOutputs)).ToArray();
    }

    private static string ReadOutput(JsonElement output, Dictionary<string, bool> binaryOutputs)
    {
        if (output.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("each entry of \"outputs\" must be an object with a name");
        }

        if (!JsonFields.TryGetProperty(output, "name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || JsonFields.String(nameElement, "name") is not { Length: > 0 } name)
        {
            throw Invalid("an output must have a non-empty string \"name\"");
        }

        var parameters = JsonFields.TryGetProperty(output, "parameters", out var value) ? Parameters(value, $"output '{name}'") : default;
        if (BoolParameter(parameters, "binary_data") is { } binary)
        {
            binaryOutputs[name] = binary;
        }

        return name;
    }

    // Parameters are accepted as the protocol allows (an object of bool, number or string values, or null).
    private static JsonElement Parameters(JsonElement parameters, string owner) =>
        parameters.ValueKind is JsonValueKind.Object or JsonValueKind.Null
            ? parameters
            : throw Invalid($"\"parameters\" of {owner} must be a JSON object");

    // The parameters a model reads (all but the protocol's own), as text; null when there are none.
    private static Dictionary<string, string>? ModelParameters(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        Dictionary<string, string>? values = null;
        foreach (var property in parameters.EnumerateObject())
        {
            var key = JsonFields.Name(property);
            if (key is "binary_data_output")
            {
                continue;
            }

            var text = property.Value.ValueKind switch
            {
                JsonValueKind.String => JsonFields.String(property.Value, key),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                _ => throw Invalid($"parameter \"{key}\" must be a string, number or boolean"),
            };
            if (text is not null)
            {
                (values ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = text;
            }
        }

        return values;
    }

    private static bool? BoolParameter(JsonElement parameters, string name) =>
        parameters.ValueKind == JsonValueKind.Object && JsonFields.TryGetProperty(parameters, name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Invalid($"parameter \"{name}\" must be true or false"),
            }
            : null;

    private static long? LongParameter(JsonElement parameters, string name, string ownerText) =>
        parameters.ValueKind == JsonValueKind.Object && JsonFields.TryGetProperty(parameters, name, out var value)
            ? value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0
                ? number
                : throw Invalid($"parameter \"{name}\" of {ownerText} must be a non-negative integer")
            : null;

    private static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);

    private static InferenceException Empty() => Invalid("the request body is empty; send a JSON inference request");

    // Hands out the binary part of the body input by input: while the JSON is parsed each input that claims binary
    // data gets an array of its size, and once the whole header is known the arrays are filled in input order, from
    // the body in memory or straight from the request stream.
    private sealed class BinaryClaims(long length)
    {
        private readonly List<byte[]> _claims = [];
        private long _claimed;

        public long Remaining => length - _claimed;

        public byte[] Take(int size)
        {
            var claim = new byte[size];
            _claims.Add(claim);
            _claimed += size;
            return claim;
        }

        public void Fill(ReadOnlySpan<byte> data)
        {
            foreach (var claim in _claims)
            {
                data[..claim.Length].CopyTo(claim);
                data = data[claim.Length..];
            }
        }

        public async Task FillAsync(Stream body, CancellationToken cancellationToken)
        {
            foreach (var claim in _claims)
            {
                await body.ReadExactlyAsync(claim, cancellationToken);
            }
        }
    }
}
