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

    /// <summary>Creates a transcriber that decodes windows with <paramref name="decoder"/> and reads tokens with <paramref name="text"/>.</summary>
    public WhisperTranscriber(IWindowDecoder decoder, ITranscriptText text, WhisperSpecialTokens special)
    {
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

        var language = options.Language;
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
            foreach (var span in split.Segments)
            {
                var segment = NewSegment(segments.Count, seek, span, attempt);
                segments.Add(segment);
                allTokens.AddRange(segment.Tokens);
                if (onSegment is not null)
                {
                    await onSegment(segment, cancellationToken).ConfigureAwait(false);
                }
            }

            seek += split.SeekAdvance;
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

    private TranscriptSegment NewSegment(int id, int seek, SegmentSpan span, WindowAttempt attempt)
    {
        var tokens = attempt.Result.Tokens.Skip(span.TokenStart).Take(span.TokenCount).ToArray();
        var text = Decode(tokens);

        // transcribe.py clears a segment that is instantaneous or has no text but keeps it in the list.
        if (span.StartFrame == span.EndFrame || string.IsNullOrWhiteSpace(text))
        {
            text = string.Empty;
            tokens = [];
        }

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
