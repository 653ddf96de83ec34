using System.Runtime.InteropServices;
using Google.Protobuf;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Grpc.Protocol;

namespace GrainServe.Gateway.Grpc;

/// <summary>Converts gRPC inference messages to the data plane's request and its response back.</summary>
internal static class GrpcRequestConverter
{
    /// <summary>Decodes a request; throws InvalidInput for a malformed one.</summary>
    public static InferenceRequest ToRequest(ModelInferRequest request)
    {
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            throw Invalid($"raw_input_contents has {raw.Count} entries for {request.Inputs.Count} inputs; send one per input, in input order, or none");
        }

        var inputs = new InferTensor[request.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = request.Inputs[i];
            if (string.IsNullOrEmpty(input.Name))
            {
                throw Invalid("an input has no name");
            }

            TensorHeader.CheckDatatype(input.Name, input.Datatype);
            var shape = input.Shape.ToArray();
            TensorHeader.CheckShape(input.Name, shape);

            if (raw.Count > 0 && input.Contents is not null && HasAny(input.Contents))
            {
                throw Invalid($"input '{input.Name}' has both contents and raw_input_contents; send one");
            }

            var data = raw.Count > 0 ? Owned(raw[i]) : GrpcTensorCodec.Decode(input.Name, input.Datatype, input.Contents);
            inputs[i] = new InferTensor(input.Name, input.Datatype, shape, data);
        }

        if (inputs.Length == 0)
        {
            throw Invalid("the request has no inputs");
        }

        var outputs = request.Outputs.Count > 0 ? request.Outputs.Select(o => o.Name).ToArray() : null;
        var version = string.IsNullOrEmpty(request.ModelVersion) ? null : request.ModelVersion;
        var id = string.IsNullOrEmpty(request.Id) ? null : request.Id;
        return new InferenceRequest(id, version, inputs, outputs) { Parameters = ModelParameters(request.Parameters) };
    }

    // The parameters a model reads, as text, as the REST reader gives them; null when there are none.
    private static Dictionary<string, string>? ModelParameters(Google.Protobuf.Collections.MapField<string, InferParameter> parameters)
    {
        Dictionary<string, string>? values = null;
        foreach (var (name, parameter) in parameters)
        {
            var text = parameter.ParameterChoiceCase switch
            {
                InferParameter.ParameterChoiceOneofCase.StringParam => parameter.StringParam,
                InferParameter.ParameterChoiceOneofCase.BoolParam => parameter.BoolParam ? "true" : "false",
                InferParameter.ParameterChoiceOneofCase.Int64Param => parameter.Int64Param.ToString(System.Globalization.CultureInfo.InvariantCulture),
                InferParameter.ParameterChoiceOneofCase.DoubleParam => parameter.DoubleParam.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                InferParameter.ParameterChoiceOneofCase.Uint64Param => parameter.Uint64Param.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => null,
            };
            if (text is not null && name is not ("binary_data_output" or "config"))
            {
                (values ??= new Dictionary<string, string>(StringComparer.Ordinal))[name] = text;
            }
        }

        return values;
    }

    /// <summary>
    /// Encodes a response: raw outputs when the request sent raw inputs (as tritonclient does) or when an output has
    /// no typed field (FP16, BF16); typed contents otherwise.
    /// </summary>
    public static ModelInferResponse ToResponse(InferenceResponse response, ModelInferRequest request)
    {
        var raw = request.RawInputContents.Count > 0 || response.Outputs.Any(o => !GrpcTensorCodec.HasTypedContents(o.Datatype));
        var message = new ModelInferResponse
        {
            ModelName = response.ModelName,
            ModelVersion = response.ModelVersion,
            Id = response.Id ?? "",
        };
        foreach (var output in response.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.Datatype };
            tensor.Shape.AddRange(output.Shape);
            if (raw)
            {
                // The output's bytes are not touched again after this, so they can back the ByteString without a copy.
                message.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(output.Data));
            }
            else
            {
                tensor.Contents = GrpcTensorCodec.Encode(output);
            }

            message.Outputs.Add(tensor);
        }

        return message;
    }

    private static bool HasAny(InferTensorContents c) =>
        c.BoolContents.Count + c.IntContents.Count + c.Int64Contents.Count + c.UintContents.Count + c.Uint64Contents.Count
        + c.Fp32Contents.Count + c.Fp64Contents.Count + c.BytesContents.Count > 0;

    // A parsed ByteString owns an array of exactly its bytes (protobuf copies each field out of the receive buffer once),
    // so the tensor keeps that array rather than a second copy; a view of a larger buffer is copied.
    private static byte[] Owned(ByteString bytes) =>
        MemoryMarshal.TryGetArray(bytes.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToByteArray();

    private static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);
}
