using GrainServe.Speech.Whisper;

namespace GrainServe.Speech.Transcription;

/// <summary>
/// Whisper's long-form transcription (<c>whisper/transcribe.py</c> <c>transcribe()</c>): walks a log-mel spectrogram
/// in 30 s windows, decodes each with temperature fallback, skips silent ones, cuts the rest into segments at their
/// timestamps and seeks on from the last one, conditioning each window on the text before it.
/// </summary>
/// <remarks>
/// The spectrogram itself stays with the <see cref="IWindowDecoder"/>: the loop only needs its length in frames.
/// One instance serves any number of transcriptions at once; each call keeps its state on its own stack.
/// </remarks>
public sealed class WhisperTranscriber
{
    /// <summary>Mel frames in one window: 30 s at 100 frames per second (whisper's <c>N_FRAMES</c>).</summary>
    public const int FramesPerWindow = 3000;

    /// <summary>Mel frames per second: a 160-sample hop at 16 kHz.</summary>
    public const int FramesPerSecond = 100;

    /// <summary>Mel frames per timestamp step (whisper's <c>input_stride</c>): 2, so one step is 20 ms.</summary>
    public const int FramesPerTimestamp = 2;

    /// <summary>The most previous-text tokens a window is prompted with: half the 448-token text context, less <c>&lt;|startofprev|&gt;</c>.</summary>
    public const int MaxPromptTokens = 223;

    // Above this temperature the text is too unreliable to prompt the next window with (transcribe.py's 0.5).
    private const double PromptResetTemperature = 0.5;

    private readonly IWindowDecoder _decoder;
    private readonly ITranscriptText _text;
    private readonly WhisperSpecialTokens _special;
    private readonly IWindowAligner? _aligner;

    /// <summary>Creates a transcriber that decodes windows with <paramref name="decoder"/> and reads tokens with <paramref name="text"/>.</summary>
    /// <param name="decoder">Decodes each window.</param>
    /// <param name="text">Encodes the initial prompt and decodes the text.</param>
    /// <param name="special">The model's special tokens.</param>
    /// <param name="aligner">Aligns windows' words for <see cref="TranscribeOptions.WordTimestamps"/>; null when there is none, and then asking for words throws.</param>
    public WhisperTranscriber(IWindowDecoder decoder, ITranscriptText text, WhisperSpecialTokens special, IWindowAligner? aligner = null)
    {
        _aligner = aligner;
        _decoder = decoder;
        _text = text;
        _special = special;
    }

    /// <summary>
    /// Transcribes a spectrogram of <paramref name="frameCount"/> mel frames. Each window's segments are handed to
    /// <paramref name="onSegment"/> as soon as they are final, and awaited before the next window is decoded, so a
    /// streaming response can send them while the rest decodes.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; checked before each window.</exception>
    public async Task<Transcript> TranscribeAsync(
        int frameCount,
        TranscribeOptions options,
        Func<TranscriptSegment, CancellationToken, ValueTask>? onSegment = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameCount);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Temperatures.Count == 0)
        {
            throw new ArgumentException("Give at least one temperature, e.g. TranscribeOptions.DefaultTemperatures.", nameof(options));
        }

        // allTokens is every kept token in order, timestamps included: the prompt source and, past the initial
        // prompt, the transcript's text. promptResetSince is where the current prompt starts in it.
        var allTokens = new List<int>();
        var segments = new List<TranscriptSegment>();
        var promptResetSince = 0;
        var initialPromptLength = 0;
        if (options.InitialPrompt is { } initialPrompt)
        {
            var promptTokens = _text.Encode(" " + initialPrompt.Trim());
            allTokens.AddRange(promptTokens);
            initialPromptLength = promptTokens.Length;
        }

        if (options.WordTimestamps && _aligner is null)
        {
            throw new ArgumentException("Word timestamps need an IWindowAligner.", nameof(options));
        }

        var language = options.Language;
        var lastSpeechTimestamp = 0.0;
        var seek = 0;
        while (seek < frameCount)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var windowFrames = Math.Min(FramesPerWindow, frameCount - seek);
            var promptStart = Math.Max(promptResetSince, allTokens.Count - MaxPromptTokens);
            var prompt = allTokens.GetRange(promptStart, allTokens.Count - promptStart).ToArray();

            var attempt = await DecodeWithFallbackAsync(seek, windowFrames, prompt, language, options, cancellationToken).ConfigureAwait(false);

            // transcribe.py detects the language once, before the loop; the first window's decode is that detection.
            language ??= attempt.Result.Language;
            if (IsSilent(attempt.Result, options))
            {
                seek += windowFrames;
                continue;
            }

            var split = WindowSegmenter.Split(attempt.Result.Tokens, windowFrames, _special);
            var current = split.Segments.Select((span, i) => NewSegment(segments.Count + i, seek, span, attempt)).ToList();
            var nextSeek = seek + split.SeekAdvance;
            if (options.WordTimestamps)
            {
                current = await AddWordsAsync(current, seek, windowFrames, language ?? "en", options.Task, lastSpeechTimestamp, cancellationToken).ConfigureAwait(false);

                // transcribe.py: a window cut off mid-speech goes on from its last word, not its last timestamp.
                if (!split.SingleTimestampEnding && End(current) is { } lastWordEnd && lastWordEnd > Seconds(seek))
                {
                    nextSeek = (int)Math.Round(lastWordEnd * FramesPerSecond, MidpointRounding.ToEven);
                }

                lastSpeechTimestamp = End(current) ?? lastSpeechTimestamp;
            }

            foreach (var raw in current)
            {
                var segment = Cleared(raw);
                segments.Add(segment);
                allTokens.AddRange(segment.Tokens);
                if (onSegment is not null)
                {
                    await onSegment(segment, cancellationToken).ConfigureAwait(false);
                }
            }

            seek = nextSeek;
            if (!options.ConditionOnPreviousText || attempt.Temperature > PromptResetTemperature)
            {
                promptResetSince = allTokens.Count;
            }
        }

        var text = Decode(allTokens.GetRange(initialPromptLength, allTokens.Count - initialPromptLength));

        // Nothing decoded only for empty audio; get_tokenizer's default language is English.
        return new Transcript(options.Task, language ?? "en", (double)frameCount / FramesPerSecond, text, segments);
    }

    private async Task<WindowAttempt> DecodeWithFallbackAsync(
        int seek, int windowFrames, int[] prompt, string? language, TranscribeOptions options, CancellationToken cancellationToken)
    {
        WindowAttempt? attempt = null;
        foreach (var temperature in options.Temperatures)
        {
            // Beam search is for greedy decoding and best-of for sampling, as decode_with_fallback pops them.
            var request = new WindowDecodeRequest(
                seek,
                windowFrames,
                prompt,
                language,
                options.Task,
                WithTimestamps: !options.WithoutTimestamps,
                temperature,
                options.SampleLength,
                BeamSize: temperature > 0 ? null : options.BeamSize,
                BestOf: temperature > 0 ? options.BestOf : null);
            var result = await _decoder.DecodeAsync(request, cancellationToken).ConfigureAwait(false);
            language ??= result.Language;
            attempt = new WindowAttempt(result, temperature, CompressionRatio.Of(Decode(result.Tokens).Trim()));
            if (!NeedsFallback(attempt, options))
            {
                break;
            }
        }

        return attempt!;
    }

    private static bool NeedsFallback(WindowAttempt attempt, TranscribeOptions options)
    {
        var result = attempt.Result;
        var tooRepetitive = attempt.CompressionRatio > options.CompressionRatioThreshold;
        var tooImprobable = result.AvgLogprob < options.LogprobThreshold;

        // Silence decodes to improbable text; retrying it hotter only invents words, so it is left for the skip.
        var silence = result.NoSpeechProb > options.NoSpeechThreshold && tooImprobable;
        return (tooRepetitive || tooImprobable) && !silence;
    }

    private static bool IsSilent(WindowDecodeResult result, TranscribeOptions options) =>
        result.NoSpeechProb > options.NoSpeechThreshold && !(result.AvgLogprob > options.LogprobThreshold);

    // transcribe.py clears a segment that is instantaneous or has no text but keeps it in the list; after the words,
    // whose times may have moved its edges.
    private static TranscriptSegment Cleared(TranscriptSegment segment) =>
        segment.Start == segment.End || string.IsNullOrWhiteSpace(segment.Text) ? segment with { Text = string.Empty, Tokens = [], Words = [] } : segment;

    // add_word_timestamps over one window's segments: one alignment of all their text, then the words shared out.
    private async Task<List<TranscriptSegment>> AddWordsAsync(
        List<TranscriptSegment> current, int seek, int windowFrames, string language, TranscriptionTask task, double lastSpeechTimestamp, CancellationToken cancellationToken)
    {
        var textTokens = current.Select(s => s.Tokens.Where(t => t < _special.EndOfText).ToArray()).ToList();
        var all = textTokens.SelectMany(t => t).ToArray();
        if (current.Count == 0 || all.Length == 0)
        {
            return current;
        }

        var matrix = await _aligner!.AlignAsync(new WindowAlignRequest(seek, windowFrames, language, task, all), cancellationToken).ConfigureAwait(false);
        var alignment = WordTimestamps.FindAlignment(matrix, all, _text, _special.EndOfText, language);
        var passes = current.Select((s, i) => new WordTimestamps.Segment(s.Start, s.End, textTokens[i])).ToList();
        WordTimestamps.Add(passes, alignment, Seconds(seek), lastSpeechTimestamp);
        return current.Select((s, i) => s with { Start = passes[i].Start, End = passes[i].End, Words = passes[i].Words }).ToList();
    }

    // transcribe.py's get_end: the last word's end, else the last segment's end.
    private static double? End(List<TranscriptSegment> segments) =>
        segments.SelectMany(s => s.Words).LastOrDefault()?.End ?? (segments.Count > 0 ? segments[^1].End : null);

    private TranscriptSegment NewSegment(int id, int seek, SegmentSpan span, WindowAttempt attempt)
    {
        var tokens = attempt.Result.Tokens.Skip(span.TokenStart).Take(span.TokenCount).ToArray();
        var text = Decode(tokens);
        return new TranscriptSegment(
            id,
            seek,
            Start: Seconds(seek + span.StartFrame),
            End: Seconds(seek + span.EndFrame),
            text,
            tokens,
            attempt.Temperature,
            attempt.Result.AvgLogprob,
            attempt.CompressionRatio,
            attempt.Result.NoSpeechProb,
            Words: []);
    }

    // From whole frames, so times are the nearest doubles to their centiseconds (3.32, not 3.3200000000000003).
    private static double Seconds(int frames) => (double)frames / FramesPerSecond;

    private string Decode(IReadOnlyList<int> tokens)
    {
        var ordinary = tokens.Where(token => token < _special.EndOfText).ToArray();
        return _text.Decode(ordinary);
    }

    /// <summary>One decode of a window: the result, the temperature it was sampled at, and its text's compression ratio.</summary>
    private sealed record WindowAttempt(WindowDecodeResult Result, double Temperature, double CompressionRatio);
}
