using GrainServe.Generation;
using GrainServe.Speech.Transcription;

namespace GrainServe.Speech.Whisper;

/// <summary>Beam search on the engine.</summary>
internal sealed partial class EngineWindowDecoder
{
    // Beam search with the beams as separate engine sequences that share the window's encoding (one cross-attention
    // state object). Each step submits one sequence per distinct beam whose prompt is the whole prefix so far and
    // which samples one token; its logits processor applies Whisper's filters and keeps the beam's likeliest next
    // tokens. Each such sequence keeps its KV cache when it ends (RetainCache), and the next step's beams fork from
    // their parent's (ForkFrom), so a step computes one token per beam: beam_size × n tokens for n sampled tokens,
    // where prefilling every prefix again would be about beam_size × n²/2. A step's kept caches are handed back once
    // the next step has run (its beams have forked by then).
    private async Task<WindowDecodeResult> BeamSearchAsync(WindowPlan window, int beamSize, CancellationToken cancellationToken)
    {
        var caches = new BeamCaches(_model.Engine, _model.ForkBeams);
        try
        {
            return await BeamSearchAsync(window, beamSize, caches, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            caches.ReleaseAll();
        }
    }

    private async Task<WindowDecodeResult> BeamSearchAsync(WindowPlan window, int beamSize, BeamCaches caches, CancellationToken cancellationToken)
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
            RetainCache = caches.Keep([]),
        };
        var room = _model.Engine.MaxSequenceTokens - window.Prompt.Length - processor.ForcedCount - 1;
        if ((room < 1 ? "the prompt leaves no room to transcribe" : _model.Engine.Validate(head)) is { } invalid)
        {
            throw new WhisperDecodeException(false, $"model '{_model.Name}': {invalid}");
        }

        var forced = (await RunAsync(head, cancellationToken).ConfigureAwait(false)).Take(processor.ForcedCount).ToArray();
        caches.NextStep();
        int[] start = [.. window.Prompt, .. forced];
        var (tokens, sumLogprob) = await BeamSearch.SearchAsync(
            beamSize,
            Math.Min(request.SampleLength, room),
            special.EndOfText,
            (prefixes, token) => StepAsync(window, start, prefixes, beamSize + 1, caches, token),
            cancellationToken).ConfigureAwait(false);
        return new WindowDecodeResult(tokens, Detected(processor), WindowDecodeResult.AverageLogProbability(sumLogprob, tokens.Length), processor.NoSpeechProbability);
    }

    private async Task<IReadOnlyList<IReadOnlyList<(int Token, double Logprob)>>> StepAsync(
        WindowPlan window, int[] start, IReadOnlyList<int[]> prefixes, int candidates, BeamCaches caches, CancellationToken cancellationToken)
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
                ForkFrom = caches.Parent(prefix),
                RetainCache = caches.Keep(prefix),
            };
            return (processor, Run: RunAsync(sequence, cancellationToken));
        }).ToList();
        await Task.WhenAll(steps.Select(s => s.Run)).ConfigureAwait(false);
        caches.NextStep();
        return [.. steps.Select(s => s.processor.Candidates)];
    }

    /// <summary>
    /// The kept caches of one beam search, by the beam's sampled tokens: the previous step's (the parents this step's
    /// beams fork from) and this step's. Without forks (<see cref="WhisperModel.ForkBeams"/> off) it keeps nothing.
    /// </summary>
    private sealed class BeamCaches(GenerationEngine engine, bool enabled)
    {
        private Dictionary<int[], RetainedKvCache> _parents = new(BeamSearch.TokensComparer.Instance);
        private Dictionary<int[], RetainedKvCache> _current = new(BeamSearch.TokensComparer.Instance);

        /// <summary>A handle to keep the cache of the sequence for <paramref name="prefix"/> in; null without forks.</summary>
        public RetainedKvCache? Keep(int[] prefix)
        {
            if (!enabled)
            {
                return null;
            }

            var cache = new RetainedKvCache();
            _current[prefix] = cache;
            return cache;
        }

        /// <summary>
        /// The kept cache the beam <paramref name="prefix"/> continues: its prefix but the last token's (the head
        /// sequence's for the first step, whose prefix is empty); null without one.
        /// </summary>
        public RetainedKvCache? Parent(int[] prefix) =>
            _parents.GetValueOrDefault(prefix.Length == 0 ? prefix : prefix[..^1]);

        /// <summary>A step ran: its beams have forked, so the parents go back, and this step's caches become the parents.</summary>
        public void NextStep()
        {
            foreach (var cache in _parents.Values)
            {
                engine.Release(cache);
            }

            _parents = _current;
            _current = new(BeamSearch.TokensComparer.Instance);
        }

        /// <summary>Hands every kept cache back (the search ended, or failed).</summary>
        public void ReleaseAll()
        {
            foreach (var cache in _parents.Values.Concat(_current.Values))
            {
                engine.Release(cache);
            }

            _parents.Clear();
            _current.Clear();
        }
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
