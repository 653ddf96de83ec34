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
internal static class InferenceRequestJsonReader
{
    /// <summary>The header that gives the JSON part's length in a binary request or response.</summary>
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    /// <summary>Parses the body; throws <see cref="InferenceException"/> with InvalidInput for a malformed request.</summary>
    public static RestInferenceRequest Read(ReadOnlyMemory<byte> body, long? headerLength, string? modelVersion)
    {
        if (headerLength is { } length && (length < 0 || length > body.Length))
        {
            throw Invalid($"{HeaderLengthHeader} is {length} but the body has {body.Length} bytes");
        }

        var json = headerLength is { } jsonLength ? body[..(int)jsonLength] : body;
        var binary = new BinaryCursor(headerLength is { } start ? body[(int)start..] : ReadOnlyMemory<byte>.Empty);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
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
                throw Invalid("the request body must be a JSON object with an \"inputs\" array");
            }

            string? id = null;
            if (root.TryGetProperty("id", out var idElement))
            {
                id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : throw Invalid("\"id\" must be a string");
            }

            CheckParameters(root, "the request");
            var binaryByDefault = BoolParameter(root, "binary_data_output") ?? false;
            if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("the request must have an \"inputs\" array");
            }

            var inputs = new List<InferTensor>();
            foreach (var input in inputsElement.EnumerateArray())
            {
                inputs.Add(ReadInput(input, binary));
            }

            if (inputs.Count == 0)
            {
                throw Invalid("\"inputs\" is empty");
            }

            if (binary.Remaining > 0)
            {
                throw Invalid($"the binary part has {binary.Remaining} byte(s) that no input's binary_data_size claims");
            }

            string[]? outputs = null;
            var binaryOutputs = new Dictionary<string, bool>(StringComparer.Ordinal);
            if (root.TryGetProperty("outputs", out var outputsElement) && outputsElement.ValueKind != JsonValueKind.Null)
            {
                if (outputsElement.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid("\"outputs\" must be an array of {\"name\": ...} objects");
                }

                outputs = outputsElement.EnumerateArray().Select(o => ReadOutput(o, binaryOutputs)).ToArray();
            }

            return new RestInferenceRequest(new InferenceRequest(id, modelVersion, [.. inputs], outputs), binaryByDefault, binaryOutputs);
        }
    }

    private static InferTensor ReadInput(JsonElement input, BinaryCursor binary)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("each entry of \"inputs\" must be an object with name, shape, datatype and data");
        }

        var name = RequiredString(input, "name", "an input");
        var datatype = RequiredString(input, "datatype", $"input '{name}'");
        TensorHeader.CheckDatatype(name, datatype);

        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"input '{name}' must have a \"shape\" array");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var value))
            {
                throw Invalid($"input '{name}' has shape element {dim.GetRawText()}; dimensions are non-negative integers");
            }

            shape[i++] = value;
        }

        TensorHeader.CheckShape(name, shape);

        CheckParameters(input, $"input '{name}'");
        if (LongParameter(input, "binary_data_size", $"input '{name}'") is { } size)
        {
            if (input.TryGetProperty("data", out _))
            {
                throw Invalid($"input '{name}' has both \"data\" and a binary_data_size; send one");
            }

            if (size > binary.Remaining)
            {
                throw Invalid($"input '{name}' claims {size} binary bytes but only {binary.Remaining} remain in the body");
            }

            return new InferTensor(name, datatype, shape, binary.Take((int)size));
        }

        if (!input.TryGetProperty("data", out var data))
        {
            throw Invalid($"input '{name}' has no \"data\"");
        }

        return new InferTensor(name, datatype, shape, TensorJsonCodec.Decode(name, datatype, data));
    }

    private static string ReadOutput(JsonElement output, Dictionary<string, bool> binaryOutputs)
    {
        if (output.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("each entry of \"outputs\" must be an object with a name");
        }

        var name = RequiredString(output, "name", "an output");
        CheckParameters(output, $"output '{name}'");
        if (BoolParameter(output, "binary_data") is { } binary)
        {
            binaryOutputs[name] = binary;
        }

        return name;
    }

    private static bool? BoolParameter(JsonElement owner, string name) =>
        owner.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Invalid($"parameter \"{name}\" must be true or false"),
            }
            : null;

    private static long? LongParameter(JsonElement owner, string name, string ownerText) =>
        owner.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0
                ? number
                : throw Invalid($"parameter \"{name}\" of {ownerText} must be a non-negative integer")
            : null;

    private static string RequiredString(JsonElement element, string property, string owner)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            throw Invalid($"{owner} must have a non-empty string \"{property}\"");
        }

        return text;
    }

    // Parameters are accepted as the protocol allows (an object of bool, number or string values); none changes inference yet.
    private static void CheckParameters(JsonElement element, string owner)
    {
        if (element.TryGetProperty("parameters", out var parameters) && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw Invalid($"\"parameters\" of {owner} must be a JSON object");
        }
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);

    // Hands out the binary part of the body input by input.
    private sealed class BinaryCursor(ReadOnlyMemory<byte> data)
    {
        private int _offset;

        public int Remaining => data.Length - _offset;

        public byte[] Take(int length)
        {
            var slice = data.Slice(_offset, length).ToArray();
            _offset += length;
            return slice;
        }
    }
}
