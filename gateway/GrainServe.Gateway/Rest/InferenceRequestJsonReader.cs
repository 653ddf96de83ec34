using System.Text.Json;
using GrainServe.Contracts;
using GrainServe.Errors;

namespace GrainServe.Gateway.Rest;

/// <summary>
/// Reads the Open Inference Protocol's JSON inference request (<c>$inference_request</c>). It checks the
/// request's own form (fields, types, shapes, datatypes); the model grain checks it against the model.
/// </summary>
internal static class InferenceRequestJsonReader
{
    /// <summary>Parses the body; throws <see cref="InferenceException"/> with InvalidInput for a malformed request.</summary>
    public static InferenceRequest Read(ReadOnlyMemory<byte> body, string? modelVersion)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
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
            if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("the request must have an \"inputs\" array");
            }

            var inputs = new List<InferTensor>();
            foreach (var input in inputsElement.EnumerateArray())
            {
                inputs.Add(ReadInput(input));
            }

            if (inputs.Count == 0)
            {
                throw Invalid("\"inputs\" is empty");
            }

            string[]? outputs = null;
            if (root.TryGetProperty("outputs", out var outputsElement) && outputsElement.ValueKind != JsonValueKind.Null)
            {
                if (outputsElement.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid("\"outputs\" must be an array of {\"name\": ...} objects");
                }

                outputs = outputsElement.EnumerateArray().Select(ReadOutputName).ToArray();
            }

            return new InferenceRequest(id, modelVersion, [.. inputs], outputs);
        }
    }

    private static InferTensor ReadInput(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("each entry of \"inputs\" must be an object with name, shape, datatype and data");
        }

        var name = RequiredString(input, "name", "an input");
        var datatype = RequiredString(input, "datatype", $"input '{name}'");
        if (!InferDatatype.IsKnown(datatype))
        {
            throw Invalid($"input '{name}' has unknown datatype '{datatype}'; use one of {string.Join(", ", InferDatatype.All)}");
        }

        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"input '{name}' must have a \"shape\" array");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var value) || value < 0)
            {
                throw Invalid($"input '{name}' has shape element {dim.GetRawText()}; dimensions are non-negative integers");
            }

            shape[i++] = value;
        }

        if (InferDatatype.ElementCount(shape) < 0)
        {
            throw Invalid($"input '{name}' has shape [{string.Join(',', shape)}], whose element count overflows");
        }

        CheckParameters(input, $"input '{name}'");
        if (!input.TryGetProperty("data", out var data))
        {
            throw Invalid($"input '{name}' has no \"data\"");
        }

        return new InferTensor(name, datatype, shape, TensorJsonCodec.Decode(name, datatype, data));
    }

    private static string ReadOutputName(JsonElement output)
    {
        if (output.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("each entry of \"outputs\" must be an object with a name");
        }

        var name = RequiredString(output, "name", "an output");
        CheckParameters(output, $"output '{name}'");
        return name;
    }

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
}
