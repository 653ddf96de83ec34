using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using GrainServe.Errors;
using GrainServe.Generation;
using GrainServe.Speech.Synthesis;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// Speaks with an XTTS-style model as XTTS's <c>inference_stream</c> does: the text and the voice's conditioning go to
/// the GPT as one sequence on the instance's generation engine (so concurrent syntheses share its decode steps), and
/// every <c>stream_chunk_size</c> codes the vocoder decodes the hidden states so far and the new stretch is crossfaded
/// with the previous one (<see cref="StreamCrossfade"/>). The vocoder runs go through the instance's
/// <see cref="XttsVocoderBatcher"/>, batched with other syntheses' windows. One-shot infer is the same stream, joined.
/// </summary>
internal sealed class XttsSynthesizer(XttsModel model) : ISpeechSynthesizer
{
    /// <summary>Request parameters beyond the common ones: XTTS's sampling and streaming knobs.</summary>
    public static IReadOnlyCollection<string> Parameters { get; } =
        ["temperature", "top_k", "top_p", "repetition_penalty", "max_codes", "stream_chunk_size"];

    public int SampleRate => model.Settings.SampleRate;

    public int MaxCharacters => model.Settings.MaxCharacters;

    public IReadOnlyCollection<string> ExtraParameters => Parameters;

    public int Waiting => model.Engine.Snapshot().Waiting;

    public TimeSpan ComputeTime => model.Engine.Snapshot().ComputeTime + model.Vocoder.ComputeTime + model.Encoder.ComputeTime;

    /// <summary>The model this synthesizer speaks with (its engine, voices and settings).</summary>
    public XttsModel Model => model;

    public string? Validate(SynthesisRequest request)
    {
        if (!model.Voices.MayExist(request.Voice))
        {
            return $"model '{model.Name}' has no voice '{request.Voice}': register it with POST /v1/audio/voices, or use '{XttsVoices.DefaultVoice}' or an OpenAI voice name ({string.Join(", ", XttsVoices.OpenAiVoices)})";
        }

        return model.Tokens.LanguageError(request.Language) ?? Options(request).Error;
    }

    public async IAsyncEnumerable<float[]> SynthesizeAsync(SynthesisRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var voice = await model.Voices.FindAsync(request.Voice).ConfigureAwait(false)
            ?? throw new InferenceException(InferenceErrorCode.InvalidInput, $"model '{model.Name}' has no voice '{request.Voice}': register it with POST /v1/audio/voices, or use '{XttsVoices.DefaultVoice}' or an OpenAI voice name");
        var (options, error) = Options(request);
        if (error is not null)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, error);
        }

        if (model.Tokens.LanguageError(request.Language) is { } language)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"model '{model.Name}': {language}");
        }

        var prompt = model.Tokens.Prompt(request.Text, request.Language);
        var room = model.Engine.MaxSequenceTokens - prompt.Length;
        if (room < 1)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"the text takes {prompt.Length} of the model's {model.Engine.MaxSequenceTokens} positions and leaves no room for audio");
        }

        var sampling = options!.Sampling with { MaxTokens = Math.Min(options.MaxCodes, room), Seed = request.Seed ?? DefaultSeed(request.Text) };
        var sequence = new GenerationRequest(prompt, sampling, [model.Settings.StopAudioToken])
        {
            LogitsProcessor = model.Codes,
            Conditioning = voice.State,
            ConditioningTokens = voice.State.TokensOf(model.Gpt.KvBytesPerToken),
        };
        if (model.Engine.Validate(sequence) is { } invalid)
        {
            throw new InferenceException(InferenceErrorCode.InvalidInput, $"model '{model.Name}': {invalid}");
        }

        var hop = model.Settings.HopLength;
        var overlap = model.Settings.OverlapSamples;
        var latents = new List<float[]>();
        var crossfade = new StreamCrossfade(overlap);
        var sinceDecode = 0;
        var decodedSamples = 0;
        var updates = model.Engine.Submit(sequence, cancellationToken);
        await foreach (var update in updates.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (update.Finish is FinishReason.Cancelled)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException("the synthesis was cancelled");
            }

            if (update.Finish is FinishReason.Error)
            {
                throw new InferenceException(InferenceErrorCode.Internal, $"model '{model.Name}' failed while generating audio codes: {update.Error}");
            }

            for (var i = 0; i < update.TokenIds.Count; i++)
            {
                // The stop code's hidden state is not speech (XTTS's one-shot path drops it too).
                if (update.TokenIds[i] != model.Settings.StopAudioToken && update.HiddenStates is { } states)
                {
                    latents.Add(states[i]);
                    sinceDecode++;
                }
            }

            var last = update.Finish is not null;
            var stretched = Stretched(latents.Count, request.Speed);
            // A stretch is decoded every stream_chunk_size codes once it holds its crossfade (a fast speed shrinks it).
            if (!last && (sinceDecode < options.StreamChunkSize || (stretched * hop) - decodedSamples < overlap))
            {
                continue;
            }

            // The window: every latent, or from the held overlap's first latent less the vocoder's left context.
            var from = model.Settings.VocoderContext == 0 || decodedSamples == 0
                ? 0
                : Math.Max(0, ((decodedSamples - overlap) / hop) - model.Settings.VocoderContext);
            var decode = await model.VocoderBatcher.DecodeAsync(new VocoderWindow(latents, request.Speed, from, stretched, voice.Speaker)).ConfigureAwait(false);
            sinceDecode = 0;
            decodedSamples = stretched * hop;
            var piece = crossfade.Next(decode.Wav, decode.From * hop, last);
            if (piece.Length > 0)
            {
                yield return piece;
            }
        }
    }

    /// <summary>Latents after XTTS's <c>length_scale</c>: <c>count / speed</c> of them, rounded.</summary>
    internal static int Stretched(int count, double speed) => speed == 1 ? count : (int)Math.Round(count / speed);

    // Without a seed, the text's own hash: a retry of the same request speaks the same way on any instance.
    private static long DefaultSeed(string text) => unchecked((long)System.IO.Hashing.XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text)));

    private (SynthesisOptions? Options, string? Error) Options(SynthesisRequest request)
    {
        var settings = model.Settings;
        var p = request.Parameters;
        var problems = new List<string>();
        float Float(string key, float fallback, float min, float max)
        {
            if (!p.TryGetValue(key, out var text))
            {
                return fallback;
            }

            if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            problems.Add($"{key} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
            return fallback;
        }

        int Int(string key, int fallback, int min, int max)
        {
            if (!p.TryGetValue(key, out var text))
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            problems.Add($"{key} must be a whole number from {min} to {max}, got '{text}'");
            return fallback;
        }

        var sampling = settings.Sampling with
        {
            Temperature = Float("temperature", settings.Sampling.Temperature, 0, 2),
            TopK = Int("top_k", settings.Sampling.TopK, 0, settings.AudioCodes + 1),
            TopP = Float("top_p", settings.Sampling.TopP, 0.01f, 1),
            RepetitionPenalty = Float("repetition_penalty", settings.Sampling.RepetitionPenalty, 0.01f, 100),
        };
        var maxCodes = Int("max_codes", settings.MaxCodes, 1, settings.MaxCodes);
        var minChunk = (settings.OverlapSamples + settings.HopLength - 1) / settings.HopLength;
        var chunk = Int("stream_chunk_size", settings.StreamChunkSize, minChunk, 10_000);
        return problems.Count > 0 ? (null, string.Join("; ", problems)) : (new SynthesisOptions(sampling, maxCodes, chunk), null);
    }

    public ValueTask DisposeAsync() => model.DisposeAsync();

    private sealed record SynthesisOptions(SamplingParameters Sampling, int MaxCodes, int StreamChunkSize);
}
