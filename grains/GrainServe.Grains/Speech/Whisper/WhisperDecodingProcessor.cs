using GrainServe.Generation;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// Whisper's decoding rules as one sequence's logits processor on the generation engine. The prompt ends at
/// <c>&lt;|startoftranscript|&gt;</c>; the processor then forces the rest of Whisper's initial tokens one step at a time
/// (the language, detected from the same logits when none is given, the task, and <c>&lt;|notimestamps|&gt;</c> when no
/// timestamps are asked), and from the first sampled token on applies decoding.py's filters (suppress blank, suppressed
/// tokens, timestamp rules). The logits after the start token are also where Whisper reads <c>no_speech_prob</c> and
/// detects the language, so one sequence does all of it, with no separate detection pass.
/// </summary>
internal sealed class WhisperDecodingProcessor : ILogitsProcessor
{
    private readonly WhisperSpecialTokens _special;
    private readonly int?[] _forced;
    private readonly IWhisperLogitFilter _filters;
    private readonly bool _suppressEndOfText;

    /// <param name="special">The model's special tokens.</param>
    /// <param name="language">The language token, or null to detect it from the first logits.</param>
    /// <param name="task">The task token: <see cref="WhisperSpecialTokens.Transcribe"/> or <see cref="WhisperSpecialTokens.Translate"/>.</param>
    /// <param name="timestamps">Whether timestamp tokens are sampled; without them <c>&lt;|notimestamps|&gt;</c> is forced.</param>
    /// <param name="filters">The filters for sampled tokens (see <see cref="WhisperLogitFilterChain.ForDecoding"/>).</param>
    /// <param name="multilingual">Whether the model takes language and task tokens (English-only models take neither).</param>
    /// <param name="suppressEndOfText">Never let <c>&lt;|endoftext|&gt;</c> be sampled (benchmarks that fix the decode length).</param>
    public WhisperDecodingProcessor(WhisperSpecialTokens special, int? language, int task, bool timestamps, IWhisperLogitFilter filters, bool multilingual = true, bool suppressEndOfText = false)
    {
        _suppressEndOfText = suppressEndOfText;
        _special = special;
        _filters = filters;
        var forced = new List<int?>();
        if (multilingual)
        {
            forced.Add(language);
            forced.Add(task);
        }

        if (!timestamps)
        {
            forced.Add(special.NoTimestamps);
        }

        _forced = [.. forced];
        LanguageToken = language;
    }

    /// <summary>Tokens forced after the prompt before sampling starts: they are not part of the transcript.</summary>
    public int ForcedCount => _forced.Length;

    /// <summary>The probability of <c>&lt;|nospeech|&gt;</c> right after the start token, once the first step ran.</summary>
    public float NoSpeechProbability { get; private set; }

    /// <summary>The language token, given or detected (after the first step); null for an English-only model.</summary>
    public int? LanguageToken { get; private set; }

    /// <inheritdoc />
    public void Process(ReadOnlySpan<int> output, Span<float> logits)
    {
        if (output.Length == 0)
        {
            NoSpeechProbability = Softmax(logits, _special.NoSpeech);
        }

        if (output.Length < _forced.Length)
        {
            var keep = _forced[output.Length] ?? DetectLanguage(logits);
            for (var i = 0; i < logits.Length; i++)
            {
                logits[i] = i == keep ? 0f : float.NegativeInfinity;
            }

            return;
        }

        _filters.Apply(logits, output[_forced.Length..]);
        if (_suppressEndOfText && (uint)_special.EndOfText < (uint)logits.Length)
        {
            logits[_special.EndOfText] = float.NegativeInfinity;
        }
    }

    // As whisper's detect_language: the most likely language token after the start token.
    private int DetectLanguage(ReadOnlySpan<float> logits)
    {
        var best = _special.FirstLanguage;
        for (var id = best; id < _special.FirstLanguage + _special.LanguageCodes.Count && id < logits.Length; id++)
        {
            if (logits[id] > logits[best])
            {
                best = id;
            }
        }

        LanguageToken = best;
        return best;
    }

    private static float Softmax(ReadOnlySpan<float> logits, int token)
    {
        if ((uint)token >= (uint)logits.Length)
        {
            return 0f;
        }

        return (float)Math.Exp(logits[token] - LogSoftmax.LogSumExp(logits));
    }
}
