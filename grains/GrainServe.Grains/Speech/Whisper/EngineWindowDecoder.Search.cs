using GrainServe.Generation;
using GrainServe.Speech.Transcription;

namespace GrainServe.Speech.Whisper;

/// <summary>Beam search on the engine.</summary>
internal sealed partial class EngineWindowDecoder
{
    // Beam search with the beams as separate engine sequences that share the window's encoding. The engine has no
    // fork of a sequence's KV cache, so each step submits one sequence per distinct beam whose prompt is the whole
    // prefix so far and which samples one token; its logits processor applies Whisper's filters and keeps the beam's
    // likeliest next tokens. Correct, and the beams of a step (and other transcriptions) share the engine's steps,
    // but every step re-prefills every beam's prefix: about beam_size × n²/2 tokens of prefill for n sampled tokens,
    // where greedy decoding computes n. A fork of the KV cache in the engine would make it beam_size × n.
    private async Task<WindowDecodeResult> BeamSearchAsync(WindowPlan window, int beamSize, CancellationToken cancellationToken)
    {
        var request = window.Request;
        var special = _model.Tokenizer.SpecialTokens;

        // The start: the forced tokens (the language detected if none was given) and no_speech_prob, from a first
        // sequence as the greedy path decodes it, stopped one token past them.
        var processor = new WhisperDecodingProcessor(special, window.Language, window.Task, request.WithTimestamps, window.Filters, _model.Tokenizer.IsMultilingual, _ignoreEndOfText);
        var head = new GenerationRequest(window.Prompt, new SamplingParameters { Temperature = 0f, MaxTokens = processor.ForcedCount + 1 }, [special.EndOfText])
        {
            LogitsProcessor = processor,
            Conditioning = window.State,
            ConditioningTokens = window.State.TokensOf(_model.KvBytesPerToken),
        };
        var room = _model.Engine.MaxSequenceTokens - window.Prompt.Length - processor.ForcedCount - 1;
        if ((room < 1 ? "the prompt leaves no room to transcribe" : _model.Engine.Validate(head)) is { } invalid)
        {
            throw new WhisperDecodeException(false, $"model '{_model.Name}': {invalid}");
        }

        var forced = (await RunAsync(head, cancellationToken).ConfigureAwait(false)).Take(processor.ForcedCount).ToArray();
        int[] start = [.. window.Prompt, .. forced];
        var (tokens, sumLogprob) = await BeamSearch.SearchAsync(
            beamSize,
            Math.Min(request.SampleLength, room),
            special.EndOfText,
            (prefixes, token) => StepAsync(window, start, prefixes, beamSize + 1, token),
            cancellationToken).ConfigureAwait(false);
        return new WindowDecodeResult(tokens, Detected(processor), WindowDecodeResult.AverageLogProbability(sumLogprob, tokens.Length), processor.NoSpeechProbability);
    }

    private async Task<IReadOnlyList<IReadOnlyList<(int Token, double Logprob)>>> StepAsync(
        WindowPlan window, int[] start, IReadOnlyList<int[]> prefixes, int candidates, CancellationToken cancellationToken)
    {
        var special = _model.Tokenizer.SpecialTokens;
        var steps = prefixes.Select(prefix =>
        {
            var processor = new BeamStepProcessor(window.Filters, prefix, candidates, _ignoreEndOfText ? special.EndOfText : null);
            var sequence = new GenerationRequest([.. start, .. prefix], new SamplingParameters { Temperature = 0f, MaxTokens = 1 }, [special.EndOfText])
            {
                LogitsProcessor = processor,
                Conditioning = window.State,
                ConditioningTokens = window.State.TokensOf(_model.KvBytesPerToken),
            };
            return (processor, Run: RunAsync(sequence, cancellationToken));
        }).ToList();
        await Task.WhenAll(steps.Select(s => s.Run)).ConfigureAwait(false);
        return [.. steps.Select(s => s.processor.Candidates)];
    }

    private async Task<List<int>> RunAsync(GenerationRequest sequence, CancellationToken cancellationToken)
    {
        var tokens = new List<int>();
        await foreach (var update in _model.Engine.Submit(sequence, cancellationToken).ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            ThrowOnFailure(update, cancellationToken);
            tokens.AddRange(update.TokenIds);
        }

        return tokens;
    }

    /// <summary>What every decode of one window shares: the request, the encoding, the context, the start tokens and the filters.</summary>
    private sealed record WindowPlan(WindowDecodeRequest Request, CrossAttentionState State, int[] Prompt, int? Language, int Task, IWhisperLogitFilter Filters);

    /// <summary>
    /// One beam's step: Whisper's filters over the logits after its prefix (the prefix is the beam's sampled tokens,
    /// passed in, as the sequence's own output is empty), then the likeliest tokens kept for the search.
    /// </summary>
    private sealed class BeamStepProcessor(IWhisperLogitFilter filters, int[] sampled, int candidates, int? suppress) : ILogitsProcessor
    {
        public IReadOnlyList<(int Token, double Logprob)> Candidates { get; private set; } = [];

        public void Process(ReadOnlySpan<int> output, Span<float> logits)
        {
            filters.Apply(logits, sampled);
            if (suppress is { } token && (uint)token < (uint)logits.Length)
            {
                logits[token] = float.NegativeInfinity;
            }

            Candidates = BeamSearch.TopCandidates(logits, candidates);
        }
    }
}
