using GrainServe.Generation;
using GrainServe.Speech.Transcription;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Decodes one transcription's windows on the instance's shared generation engine: each window is encoded once, its
/// cross-attention state goes with the sequence as its conditioning (and its bytes into the KV budget), and the
/// sequence joins whatever else the engine is running, so concurrent transcriptions share decode steps.
/// </summary>
internal sealed class EngineWindowDecoder : IWindowDecoder
{
    private readonly WhisperModel _model;
    private readonly float[] _mel;
    private readonly int _frames;
    private readonly long? _seed;
    private readonly bool _ignoreEndOfText;

    // The last window's encoder output: a temperature fallback decodes the same window again, and its encoding is the
    // same (whisper's decode runs the encoder again each time; once is enough).
    private (int Seek, int Frames, CrossAttentionState State)? _encoded;

    /// <param name="model">The loaded model: encoder, engine, tokenizer.</param>
    /// <param name="mel">The whole recording's log-mel spectrogram, <c>[n_mels, frames]</c> row-major.</param>
    /// <param name="frames">Its frames.</param>
    /// <param name="seed">The transcription's seed, or null; each window and temperature samples from its own stream of it.</param>
    /// <param name="ignoreEndOfText">Sample every window to its token cap (benchmarks).</param>
    public EngineWindowDecoder(WhisperModel model, float[] mel, int frames, long? seed = null, bool ignoreEndOfText = false)
    {
        _model = model;
        _mel = mel;
        _frames = frames;
        _seed = seed;
        _ignoreEndOfText = ignoreEndOfText;
    }

    /// <inheritdoc />
    /// <exception cref="WhisperDecodeException">The engine refused or failed the sequence; the message says why.</exception>
    public async Task<WindowDecodeResult> DecodeAsync(WindowDecodeRequest request, CancellationToken cancellationToken)
    {
        var special = _model.Tokenizer.SpecialTokens;
        CrossAttentionState state;
        if (_encoded is { } encoded && encoded.Seek == request.Seek && encoded.Frames == request.FrameCount)
        {
            state = encoded.State;
        }
        else
        {
            var window = Window(request.Seek, request.FrameCount);
            state = await Task.Run(() => _model.Encoder.Encode(window), cancellationToken).ConfigureAwait(false);
            _encoded = (request.Seek, request.FrameCount, state);
        }

        int? language = null;
        if (request.Language is { } code)
        {
            language = special.LanguageToken(code) ?? throw new WhisperDecodeException(false, $"model '{_model.Name}' has no language '{code}'");
        }

        var task = request.Task == TranscriptionTask.Translate ? special.Translate : special.Transcribe;
        var filters = WhisperLogitFilterChain.ForDecoding(
            _model.Tokenizer,
            suppressBlank: true,
            suppressTokens: _model.SuppressTokens,
            withoutTimestamps: !request.WithTimestamps,
            maxInitialTimestampSeconds: 1.0);
        var processor = new WhisperDecodingProcessor(special, language, task, request.WithTimestamps, filters, _model.Tokenizer.IsMultilingual, _ignoreEndOfText);

        // decoding.py's context: [<|startofprev|>, previous text…] only when there is previous text, then the start token;
        // the processor forces the rest of the start sequence.
        int[] prompt = request.Prompt.Count > 0 ? [special.StartOfPrevious, .. request.Prompt, special.StartOfTranscript] : [special.StartOfTranscript];
        var room = _model.Engine.MaxSequenceTokens - prompt.Length;
        var sampling = new SamplingParameters
        {
            Temperature = (float)request.Temperature,
            MaxTokens = Math.Min(processor.ForcedCount + request.SampleLength, room),
            Logprobs = true,
            SkipSpecialTokens = true,
            Seed = _seed is { } seed ? unchecked((seed * 1_000_003) + (request.Seek * 1009L) + (long)Math.Round(request.Temperature * 1000)) : null,
        };
        var sequence = new GenerationRequest(prompt, sampling, [special.EndOfText])
        {
            LogitsProcessor = processor,
            Conditioning = state,
            ConditioningTokens = state.TokensOf(_model.KvBytesPerToken),
        };
        var invalid = room <= processor.ForcedCount ? "the prompt leaves no room to transcribe" : _model.Engine.Validate(sequence);
        if (invalid is not null)
        {
            throw new WhisperDecodeException(false, $"model '{_model.Name}': {invalid}");
        }

        var tokens = new List<int>();
        var sumLogprob = 0.0;
        var updates = _model.Engine.Submit(sequence, cancellationToken);
        await foreach (var update in updates.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            for (var i = 0; i < update.TokenIds.Count; i++)
            {
                if (tokens.Count >= processor.ForcedCount && update.Logprobs is { } logprobs)
                {
                    sumLogprob += logprobs[i].Token.Logprob;
                }

                tokens.Add(update.TokenIds[i]);
            }

            if (update.Finish is FinishReason.Cancelled)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException("the transcription was cancelled");
            }

            if (update.Finish is FinishReason.Error)
            {
                throw new WhisperDecodeException(true, $"model '{_model.Name}' failed while decoding: {update.Error}");
            }
        }

        var sampled = tokens.Skip(processor.ForcedCount).ToList();
        if (sampled.Count > 0 && sampled[^1] == special.EndOfText)
        {
            sampled.RemoveAt(sampled.Count - 1);
        }

        var detected = processor.LanguageToken is { } token && special.IsLanguage(token) ? special.LanguageCodes[token - special.FirstLanguage] : "en";
        return new WindowDecodeResult(sampled, detected, WindowDecodeResult.AverageLogProbability(sumLogprob, sampled.Count), processor.NoSpeechProbability);
    }

    // whisper's mel[:, seek:seek + segment_size] padded to 3000 frames with zeros (pad_or_trim).
    private float[] Window(int seek, int frameCount)
    {
        var bins = _model.Encoder.MelBins;
        var window = new float[bins * WhisperEncoder.WindowFrames];
        var take = Math.Clamp(Math.Min(frameCount, _frames - seek), 0, WhisperEncoder.WindowFrames);
        for (var bin = 0; bin < bins; bin++)
        {
            _mel.AsSpan((bin * _frames) + seek, take).CopyTo(window.AsSpan(bin * WhisperEncoder.WindowFrames));
        }

        return window;
    }
}
