using System.Runtime.InteropServices;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Gateway.DataPlane;
using GrainServe.Gateway.Grpc.Protocol;
using GrainServe.Generation;
using GrainServe.Speech.Synthesis;

namespace GrainServe.Gateway.Grpc;

/// <summary>
/// Speech synthesis over <c>ModelStreamInfer</c>, decoupled as generation is: the V2 request of a voice (a BYTES text input,
/// parameters voice, speed, ...) answered by one response per stretch of audio as the model makes it, each with
/// <c>audio</c> (FP32 samples; <c>audio_int16</c> when the request asks for that output) and <c>sample_rate</c> (INT32),
/// the last one empty and flagged with Triton's <c>triton_final_response</c>. Unary <c>ModelInfer</c> answers the whole
/// utterance at once.
/// </summary>
internal static class GrpcSpeech
{
    private const string FinalResponse = "triton_final_response";

    /// <summary>Streams the synthesis, handing each response to <paramref name="write"/>; throws for a refused request.</summary>
    public static async Task RunAsync(IInferenceDataPlane dataPlane, ModelInferRequest request, Func<string, string?>? header, Func<ModelStreamInferResponse, Task> write, CancellationToken cancellationToken)
    {
        var inputs = GrpcRequestConverter.ToRequest(request);
        var int16 = inputs.RequestedOutputs?.Contains("audio_int16") == true;
        var generate = new GenerateRequest { ModelVersion = inputs.ModelVersion, Inputs = inputs };
        await foreach (var chunk in dataPlane.GenerateAsync(request.ModelName, generate, header, cancellationToken))
        {
            if (chunk.Error is { } error)
            {
                throw new InferenceException(error);
            }

            var final = chunk.FinishReason is not null;
            if (chunk.Audio.Length > 0 || final)
            {
                await write(Response(request, chunk, int16, final));
            }
        }
    }

    private static ModelStreamInferResponse Response(ModelInferRequest request, GenerateChunk chunk, bool int16, bool final)
    {
        var samples = MemoryMarshal.Cast<byte, float>(chunk.Audio);
        var audio = int16
            ? new InferTensor("audio_int16", InferDatatype.Int16, [samples.Length], MemoryMarshal.AsBytes(Pcm16.FromFloat(samples).AsSpan()).ToArray())
            : new InferTensor("audio", InferDatatype.Fp32, [samples.Length], chunk.Audio);
        var rate = new InferTensor("sample_rate", InferDatatype.Int32, [1], BitConverter.GetBytes(chunk.SampleRate));
        var response = GrpcRequestConverter.ToResponse(new InferenceResponse(request.ModelName, chunk.ModelVersion, request.Id, [audio, rate]), request);
        response.Parameters[FinalResponse] = new InferParameter { BoolParam = final };
        return new ModelStreamInferResponse { InferResponse = response };
    }
}
