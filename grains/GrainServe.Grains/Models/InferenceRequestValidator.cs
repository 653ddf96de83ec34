using System.Buffers.Binary;
using GrainServe.Contracts;
using GrainServe.Errors;

namespace GrainServe.Models;

/// <summary>
/// Checks an inference request against a model's effective configuration: names, datatypes, shapes, element
/// counts and byte sizes. Both protocols reach the model through here, so they reject the same things with
/// the same messages.
/// </summary>
public static class InferenceRequestValidator
{
    /// <summary>
    /// Returns the request with its inputs in the model's input order, or the first problem found.
    /// </summary>
    public static (InferenceRequest? Request, InferenceError? Error) Validate(string modelName, ModelConfig config, InferenceRequest request)
    {
        var byName = new Dictionary<string, InferTensor>(StringComparer.Ordinal);
        foreach (var input in request.Inputs)
        {
            if (!byName.TryAdd(input.Name, input))
            {
                return Invalid($"input '{input.Name}' appears more than once");
            }
        }

        var maxBatch = config.MaxBatchSize ?? 0;
        var ordered = new InferTensor[config.Input.Count];
        long? batchSize = null;
        for (var i = 0; i < config.Input.Count; i++)
        {
            var expected = config.Input[i];
            if (!byName.Remove(expected.Name, out var input))
            {
                return Invalid($"model '{modelName}' needs input '{expected.Name}', which the request does not have");
            }

            var datatype = TritonDatatype.ToProtocol(expected.DataType);
            if (input.Datatype != datatype)
            {
                return Invalid($"input '{input.Name}' has datatype {input.Datatype}; model '{modelName}' takes {datatype}");
            }

            // A trailing dimension of 1 may be left out ([n] for [n, 1]), as text clients send one string per row.
            if (expected.Dims is [.., 1] && input.Shape.Length == expected.Dims.Length + (maxBatch > 0 ? 1 : 0) - 1)
            {
                input = new InferTensor(input.Name, input.Datatype, [.. input.Shape, 1], input.Data);
            }

            if (CheckShape(input, expected.Dims, maxBatch, ref batchSize) is { } shapeError)
            {
                return Invalid(shapeError);
            }

            if (CheckData(input) is { } dataError)
            {
                return Invalid(dataError);
            }

            ordered[i] = input;
        }

        if (byName.Count > 0)
        {
            return Invalid($"model '{modelName}' has no input '{byName.Keys.First()}'; its inputs are {string.Join(", ", config.Input.Select(t => t.Name))}");
        }

        if (request.RequestedOutputs is { } outputs)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var output in outputs)
            {
                if (!seen.Add(output))
                {
                    return Invalid($"output '{output}' is requested more than once");
                }

                if (!config.Output.Any(o => o.Name == output))
                {
                    return Invalid($"model '{modelName}' has no output '{output}'; its outputs are {string.Join(", ", config.Output.Select(t => t.Name))}");
                }
            }
        }

        // Parameters and deadline travel on: the queue schedules by them (priority, timeout, deadline).
        return (new InferenceRequest(request.Id, request.ModelVersion, ordered, request.RequestedOutputs) { Parameters = request.Parameters, Deadline = request.Deadline }, null);
    }

    private static string? CheckShape(InferTensor input, long[] dims, int maxBatch, ref long? batchSize)
    {
        var shape = input.Shape;
        var expectedRank = dims.Length + (maxBatch > 0 ? 1 : 0);
        var expectedText = maxBatch > 0 ? $"[-1,{string.Join(',', dims)}]".Replace(",]", "]", StringComparison.Ordinal) : $"[{string.Join(',', dims)}]";
        if (shape.Length != expectedRank)
        {
            return $"input '{input.Name}' has shape [{string.Join(',', shape)}]; the model expects {expectedText}";
        }

        if (shape.Any(d => d < 0))
        {
            return $"input '{input.Name}' has a negative dimension in shape [{string.Join(',', shape)}]";
        }

        var offset = 0;
        if (maxBatch > 0)
        {
            if (shape[0] < 1 || shape[0] > maxBatch)
            {
                return $"input '{input.Name}' has batch size {shape[0]}; the model takes 1 to {maxBatch}";
            }

            if (batchSize is { } other && other != shape[0])
            {
                return $"input '{input.Name}' has batch size {shape[0]} but another input has {other}; all inputs must share the batch size";
            }

            batchSize = shape[0];
            offset = 1;
        }

        for (var d = 0; d < dims.Length; d++)
        {
            if (dims[d] != -1 && shape[d + offset] != dims[d])
            {
                return $"input '{input.Name}' has shape [{string.Join(',', shape)}]; the model expects {expectedText}";
            }
        }

        return null;
    }

    private static string? CheckData(InferTensor input)
    {
        var count = InferDatatype.ElementCount(input.Shape);
        if (count < 0 || count > int.MaxValue)
        {
            return $"input '{input.Name}' has shape [{string.Join(',', input.Shape)}], whose element count is too large";
        }

        var size = InferDatatype.ElementSize(input.Datatype);
        if (size > 0)
        {
            return input.Data.LongLength == count * size
                ? null
                : $"input '{input.Name}' has {input.Data.LongLength / size} element(s) of {input.Datatype} ({input.Data.LongLength} bytes); shape [{string.Join(',', input.Shape)}] needs {count}";
        }

        var data = input.Data.AsSpan();
        long elements = 0;
        while (data.Length > 0)
        {
            if (data.Length < 4)
            {
                return $"input '{input.Name}' has a truncated BYTES element length";
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (length > data.Length - 4)
            {
                return $"input '{input.Name}' has a BYTES element of {length} bytes but only {data.Length - 4} follow";
            }

            data = data[(4 + (int)length)..];
            elements++;
        }

        return elements == count
            ? null
            : $"input '{input.Name}' has {elements} BYTES element(s); shape [{string.Join(',', input.Shape)}] needs {count}";
    }

    private static (InferenceRequest?, InferenceError?) Invalid(string message) => (null, new InferenceError(InferenceErrorCode.InvalidInput, message));
}
