using GrainServe.Batching;
using GrainServe.Contracts;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Models;
using GrainServe.Runtime;
using GrainServe.Speech.Audio;
using GrainServe.Speech.Synthesis;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// An XTTS-style model's instance: <see cref="SynthesisInstance"/> for speech, plus the one thing only this kind does,
/// encoding a voice. A V2 request whose one BYTES input is <see cref="ReferenceAudioInput"/> (a WAV, or any file the
/// audio decoder reads) answers with the encoded voice in <see cref="VoiceOutput"/>, which <c>POST /v1/audio/voices</c>
/// stores in the model's voice registry.
/// </summary>
internal sealed class XttsInstance(SynthesisInstance speech, string version, XttsModel model, AudioDecoder audio) : IInstanceScheduler
{
    /// <summary>The input holding reference audio to encode into a voice.</summary>
    public const string ReferenceAudioInput = "reference_audio";

    /// <summary>The output holding the encoded voice: BYTES, one element.</summary>
    public const string VoiceOutput = "voice";

    /// <summary>The output holding the reference audio's length in seconds: FP64 [1].</summary>
    public const string ReferenceSecondsOutput = "reference_seconds";

    // Half a second at 16 kHz: less is no voice to speak from.
    private const int MinimumReferenceSamples = 8000;

    // A reference clip of XTTS is a few seconds; a minute is plenty and bounds the encoder's work.
    private static readonly AudioLimits ReferenceLimits = new() { MaxDurationSeconds = 60 };

    public ModelConfig Config => speech.Config;

    public int Pending => speech.Pending;

    public int Waiting => speech.Waiting;

    public InstanceStatistics Statistics => speech.Statistics;

    public async Task<InferenceResult> Infer(InferenceRequest request, CancellationToken cancellationToken)
    {
        if (request.Inputs is not [{ Name: ReferenceAudioInput } input])
        {
            return await speech.Infer(request, cancellationToken).ConfigureAwait(false);
        }

        if (input.Datatype != InferDatatype.Bytes || BytesElements.Unpack(input.Data).ToList() is not [var file])
        {
            return InferenceResult.Failure(InferenceErrorCode.InvalidInput, $"input '{ReferenceAudioInput}' must be BYTES holding one audio file");
        }

        DecodedAudio decoded;
        try
        {
            decoded = await audio.DecodeAsync(file, ReferenceLimits, cancellationToken).ConfigureAwait(false);
        }
        catch (AudioFormatException ex)
        {
            return InferenceResult.Failure(InferenceErrorCode.InvalidInput, $"the reference audio cannot be read: {ex.Message}");
        }

        if (decoded.Samples.Length < MinimumReferenceSamples)
        {
            return InferenceResult.Failure(InferenceErrorCode.InvalidInput, $"the reference audio is {decoded.DurationSeconds:0.###} s; a voice needs at least 0.5 s of speech");
        }

        var voice = await Task.Run(() => model.Encoder.Encode(decoded.Samples), cancellationToken).ConfigureAwait(false);
        return InferenceResult.Success(new InferenceResponse(Config.Name ?? "", version, request.Id,
        [
            new InferTensor(VoiceOutput, InferDatatype.Bytes, [1], BytesElements.Pack([voice.ToBytes()])),
            new InferTensor(ReferenceSecondsOutput, InferDatatype.Fp64, [1], BitConverter.GetBytes(decoded.DurationSeconds)),
        ]));
    }

    public IAsyncEnumerable<GenerateChunk> Generate(GenerateRequest request, CancellationToken cancellationToken) => speech.Generate(request, cancellationToken);

    public ValueTask DisposeAsync() => speech.DisposeAsync();
}
