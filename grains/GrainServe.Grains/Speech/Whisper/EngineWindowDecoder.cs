using GrainServe.Generation;
using GrainServe.Speech.Transcription;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Decodes one transcription's windows on the instance's shared generation engine: each window is encoded once, its
/// cross-attention state goes with the sequence as its conditioning (and its bytes into the KV budget), and the
/// sequence joins whatever else the engine is running, so concurrent transcriptions share decode steps.
/// </summary>
internal sealed partial class EngineWindowDecoder : IWindowDecoder, IWindowAligner
{
    private readonly WhisperModel _model;
    private readonly float[] _mel;
    private readonly int _frames;
    private readonly long? _seed;
    private readonly bool _ignoreEndOfText;

    // The last window's encoder output (see EncodeAsync).
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
        var state = await EncodeAsync(request.Seek, request.FrameCount, cancellationToken).ConfigureAwait(false);
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

        // decoding.py's context: [<|startofprev|>, previous text…] only when there is previous text, then the start token;
        // the processor forces the rest of the start sequence.
        int[] prompt = request.Prompt.Count > 0 ? [special.StartOfPrevious, .. request.Prompt, special.StartOfTranscript] : [special.StartOfTranscript];
        var window = new WindowPlan(request, state, prompt, language, task, filters);
        if (request.BeamSize is { } beams && request.Temperature == 0)
        {
            return await BeamSearchAsync(window, beams, cancellationToken).ConfigureAwait(false);
        }

        // best_of: independent samples of the window, decoded side by side on the engine, the likeliest kept.
        var count = request.BestOf is > 1 && request.Temperature > 0 ? request.BestOf.Value : 1;
        var samples = await Task.WhenAll(Enumerable.Range(0, count).Select(i => SampleAsync(window, i, cancellationToken))).ConfigureAwait(false);
        var (tokens, sumLogprob) = BeamSearch.Rank([.. samples.Select(s => (s.Tokens, s.SumLogprob))]);
        var first = samples[0].Processor;
        return new WindowDecodeResult(tokens, Detected(first), WindowDecodeResult.AverageLogProbability(sumLogprob, tokens.Length), first.NoSpeechProbability);
    }

    // One sampled (or greedy) decode of the window: its tokens after the forced start sequence, without the end token,
    // their summed log probability (the end token's included), and the processor that saw the first logits.
    private async Task<(int[] Tokens, double SumLogprob, WhisperDecodingProcessor Processor)> SampleAsync(WindowPlan window, int sample, CancellationToken cancellationToken)
    {
        var request = window.Request;
        var special = _model.Tokenizer.SpecialTokens;
        var processor = new WhisperDecodingProcessor(special, window.Language, window.Task, request.WithTimestamps, window.Filters, _model.Tokenizer.IsMultilingual, _ignoreEndOfText);
        var room = _model.Engine.MaxSequenceTokens - window.Prompt.Length;
        var sampling = new SamplingParameters
        {
            Temperature = (float)request.Temperature,
            MaxTokens = Math.Min(processor.ForcedCount + request.SampleLength, room),
            Logprobs = true,
            SkipSpecialTokens = true,
            Seed = _seed is { } seed ? unchecked((seed * 1_000_003) + (request.Seek * 1009L) + (long)Math.Round(request.Temperature * 1000) + (sample * 7919L)) : null,
        };
        var sequence = new GenerationRequest(window.Prompt, sampling, [special.EndOfText])
        {
            LogitsProcessor = processor,
            Conditioning = window.State,
            ConditioningTokens = window.State.TokensOf(_model.KvBytesPerToken),
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
            ThrowOnFailure(update, cancellationToken);
            for (var i = 0; i < update.TokenIds.Count; i++)
            {
                if (tokens.Count >= processor.ForcedCount && update.Logprobs is { } logprobs)
                {
                    sumLogprob += logprobs[i].Token.Logprob;
                }

                tokens.Add(update.TokenIds[i]);
            }
        }

        var sampled = tokens.Skip(processor.ForcedCount).ToList();
        if (sampled.Count > 0 && sampled[^1] == special.EndOfText)
        {
            sampled.RemoveAt(sampled.Count - 1);
        }

        return ([.. sampled], sumLogprob, processor);
    }

    private string Detected(WhisperDecodingProcessor processor)
    {
        var special = _model.Tokenizer.SpecialTokens;
        return processor.LanguageToken is { } token && special.IsLanguage(token) ? special.LanguageCodes[token - special.FirstLanguage] : "en";
    }

    /// <inheritdoc />
    /// <remarks>
    /// As <c>find_alignment</c>: one sequence of <c>[start sequence, &lt;|notimestamps|&gt;, text…, &lt;|endoftext|&gt;]</c>
    /// on the engine, conditioned on the window's encoding, whose prefill delivers the cross-attention weights of every
    /// position (<see cref="GenerationRequest.StepOutputs"/>); the one token it then samples is dropped. A prefill
    /// costs about what one decode step of the batch costs per token, once per window.
    /// </remarks>
    /// <exception cref="WhisperDecodeException">The decoder outputs no cross-attention weights, or the engine refused or failed the sequence.</exception>
    public async Task<double[,]> AlignAsync(WindowAlignRequest request, CancellationToken cancellationToken)
    {
        var outputs = _model.Decoder.Layout.CrossAttentionWeights;
        if (outputs.Count == 0)
        {
            throw new WhisperDecodeException(false, NoCrossAttentionWeights(_model.Name));
        }

        var special = _model.Tokenizer.SpecialTokens;
        var state = await EncodeAsync(request.Seek, request.FrameCount, cancellationToken).ConfigureAwait(false);
        int[] start = _model.Tokenizer.IsMultilingual
            ? [special.StartOfTranscript, special.LanguageToken(request.Language) ?? special.LanguageToken("en")!.Value, request.Task == TranscriptionTask.Translate ? special.Translate : special.Transcribe]
            : [special.StartOfTranscript];
        int[] prompt = [.. start, special.NoTimestamps, .. request.TextTokens, special.EndOfText];
        var collector = new CrossAttentionCollector(_model.AlignmentHeads, [.. outputs], prompt.Length);
        var sequence = new GenerationRequest(prompt, new SamplingParameters { Temperature = 0f, MaxTokens = 1 }, [special.EndOfText])
        {
            Conditioning = state,
            ConditioningTokens = state.TokensOf(_model.KvBytesPerToken),
            StepOutputs = collector,
        };
        if (_model.Engine.Validate(sequence) is { } invalid)
        {
            throw new WhisperDecodeException(false, $"model '{_model.Name}': aligning words: {invalid}");
        }

        var updates = _model.Engine.Submit(sequence, cancellationToken);
        await foreach (var update in updates.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            ThrowOnFailure(update, cancellationToken);
        }

        if (!collector.Complete)
        {
            throw new WhisperDecodeException(true, $"model '{_model.Name}': the decoder did not deliver cross-attention weights for every token of the alignment");
        }

        return AlignmentMatrix.Compute(collector.Heads, prompt.Length, collector.Positions, request.FrameCount, start.Length);
    }

    /// <summary>The 400's message for word timestamps on a decoder export without cross-attention weights.</summary>
    public static string NoCrossAttentionWeights(string model) =>
        $"model '{model}' cannot give word timestamps: its decoder does not output its cross-attention weights (onnxruntime-genai's output_cross_qk_{{i}}); re-export it with them, or ask for segment timestamps";

    private void ThrowOnFailure(GenerationUpdate update, CancellationToken cancellationToken)
    {
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

    // The window's encoding, kept for the next call: a temperature fallback and the word alignment use the same window
    // (whisper's decode runs the encoder again each time; once is enough).
    private async Task<CrossAttentionState> EncodeAsync(int seek, int frameCount, CancellationToken cancellationToken)
    {
        if (_encoded is { } encoded && encoded.Seek == seek && encoded.Frames == frameCount)
        {
            return encoded.State;
        }

        var window = Window(seek, frameCount);
        var state = await Task.Run(() => _model.Encoder.Encode(window), cancellationToken).ConfigureAwait(false);
        _encoded = (seek, frameCount, state);
        return state;
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
