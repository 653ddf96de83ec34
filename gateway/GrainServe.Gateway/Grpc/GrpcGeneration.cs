using System.Text;
using System.Text.Json;
using Google.Protobuf;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.Gateway.Rest;
using GrainServe.Generation;
using GrainServe.Models;

namespace GrainServe.Gateway.Grpc;

/// <summary>
/// Text generation over <c>ModelStreamInfer</c>, as Triton's decoupled models and its vLLM backend do it: inputs
/// <c>text_input</c> (BYTES), optional <c>stream</c> (BOOL) and <c>sampling_parameters</c> (BYTES, JSON); one response per
/// step with <c>text_output</c> (BYTES) when streaming, else one with the whole text; the last response carries Triton's
/// <c>triton_final_response</c> parameter set to true.
/// </summary>
internal static class GrpcGeneration
{
    private const string FinalResponse = "triton_final_response";

    /// <summary>
    /// The kind of the model a stream request names (its config's <c>model_kind</c>), when it answers with many responses:
    /// a text generation model sent <c>text_input</c>, or a voice; null for one answered once, as <c>ModelInfer</c> is.
    /// </summary>
    public static async Task<string?> DecoupledKindAsync(IInferenceDataPlane dataPlane, ModelInferRequest request, CancellationToken cancellationToken)
    {
        string kind;
        try
        {
            var config = await dataPlane.GetModelConfigAsync(request.ModelName, string.IsNullOrEmpty(request.ModelVersion) ? null : request.ModelVersion, cancellationToken);
            kind = ModelKinds.Of(config);
        }
        catch (InferenceException)
        {
            // An unknown model answers through the ordinary path, with its ordinary error.
            return null;
        }

        return kind switch
        {
            ModelKinds.TextGeneration when request.Inputs.Any(i => i.Name == "text_input") => kind,
            ModelKinds.TtsPiper or ModelKinds.TtsXtts => kind,
            _ => null,
        };
    }

    /// <summary>Runs the generation, handing each response to <paramref name="write"/>; throws InvalidInput for a bad request.</summary>
    public static async Task RunAsync(IInferenceDataPlane dataPlane, ModelInferRequest request, Func<string, string?>? header, Func<ModelStreamInferResponse, Task> write, CancellationToken cancellationToken)
    {
        var (generate, stream) = Read(request);
        var text = new StringBuilder();
        await foreach (var chunk in dataPlane.GenerateAsync(request.ModelName, generate, header, cancellationToken))
        {
            if (chunk.Error is { } error)
            {
                throw new InferenceException(error);
            }

            var final = chunk.FinishReason is not null;
            if (stream)
            {
                if (chunk.Text.Length > 0 || final)
                {
                    await write(Response(request, chunk.ModelVersion, chunk.Text, final));
                }
            }
            else
            {
                text.Append(chunk.Text);
                if (final)
                {
                    await write(Response(request, chunk.ModelVersion, text.ToString(), final: true));
                }
            }
        }
    }

    private static (GenerateRequest Request, bool Stream) Read(ModelInferRequest request)
    {
        var inputs = GrpcRequestConverter.ToRequest(request).Inputs;
        string? prompt = null;
        var stream = false;
        var generate = new GenerateRequest { ModelVersion = string.IsNullOrEmpty(request.ModelVersion) ? null : request.ModelVersion };
        foreach (var input in inputs)
        {
            switch (input.Name)
            {
                case "text_input":
                    prompt = SingleText(input);
                    break;
                case "stream":
                    stream = input.Datatype == InferDatatype.Bool && input.Data.Length == 1 ? input.Data[0] != 0 : throw Invalid("input 'stream' must be one BOOL");
                    break;
                case "sampling_parameters":
                    generate = Sampling(SingleText(input), generate);
                    break;
                default:
                    throw Invalid($"input '{input.Name}' is not taken by a text generation model; send text_input, stream and sampling_parameters");
            }
        }

        return (generate with { Prompt = prompt ?? throw Invalid("input 'text_input' is required") }, stream);
    }

    private static string SingleText(InferTensor input)
    {
        var elements = input.Datatype == InferDatatype.Bytes ? BytesElements.Unpack(input.Data).ToList() : throw Invalid($"input '{input.Name}' must be BYTES");
        if (elements.Count != 1)
        {
            throw Invalid($"input '{input.Name}' must hold one element, not {elements.Count}");
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(elements[0].Span);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid($"input '{input.Name}' is not valid UTF-8");
        }
    }

    // vLLM's SamplingParams names, as Triton's vLLM backend takes them.
    private static GenerateRequest Sampling(string json, GenerateRequest request)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw Invalid($"sampling_parameters is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("sampling_parameters must be a JSON object");
            }

            foreach (var p in root.EnumerateObject())
            {
                var name = JsonFields.Name(p);
                if (p.Value.ValueKind != JsonValueKind.Null)
                {
                    request = SamplingFields.Apply(request, name, p.Value)
                        ?? throw Invalid($"sampling parameter \"{name}\" is not supported; use {string.Join(", ", SamplingFields.Names)}");
                }
            }

            // vLLM's SamplingParams default, when the client does not say.
            return request.MaxTokens is null ? request with { MaxTokens = 16 } : request;
        }
    }

    private static ModelStreamInferResponse Response(ModelInferRequest request, string version, string text, bool final)
    {
        var response = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = version, Id = request.Id };
        var output = new ModelInferResponse.Types.InferOutputTensor { Name = "text_output", Datatype = InferDatatype.Bytes };
        output.Shape.Add(1);
        var bytes = Encoding.UTF8.GetBytes(text);
        if (request.RawInputContents.Count > 0)
        {
            response.RawOutputContents.Add(ByteString.CopyFrom(BytesElements.Pack([bytes])));
        }
        else
        {
            output.Contents = new InferTensorContents();
            output.Contents.BytesContents.Add(ByteString.CopyFrom(bytes));
        }

        response.Outputs.Add(output);
        response.Parameters[FinalResponse] = new InferParameter { BoolParam = final };
        return new ModelStreamInferResponse { InferResponse = response };
    }

    private static InferenceException Invalid(string message) => new(InferenceErrorCode.InvalidInput, message);
}
