using System.Globalization;

namespace GrainServe.Speech.Whisper;

/// <summary>
/// The ids of Whisper's special tokens, laid out as openai/whisper's <c>tokenizer.py</c> appends them after the
/// vocabulary's ordinary tokens: <c>&lt;|endoftext|&gt;</c>, <c>&lt;|startoftranscript|&gt;</c>, one token per
/// language (99, or 100 from large-v3 on), <c>&lt;|translate|&gt;</c>, <c>&lt;|transcribe|&gt;</c>,
/// <c>&lt;|startoflm|&gt;</c>, <c>&lt;|startofprev|&gt;</c>, <c>&lt;|nospeech|&gt;</c>, <c>&lt;|notimestamps|&gt;</c>,
/// then the 1501 timestamps <c>&lt;|0.00|&gt;</c> … <c>&lt;|30.00|&gt;</c> in steps of 20 ms.
/// </summary>
/// <param name="EndOfText"><c>&lt;|endoftext|&gt;</c>: ends a transcript.</param>
/// <param name="StartOfTranscript"><c>&lt;|startoftranscript|&gt;</c>.</param>
/// <param name="LanguageCodes">The language codes in token order (<c>en</c> first); the first one's id is <see cref="StartOfTranscript"/> + 1.</param>
/// <param name="Translate"><c>&lt;|translate|&gt;</c>.</param>
/// <param name="Transcribe"><c>&lt;|transcribe|&gt;</c>.</param>
/// <param name="StartOfLm"><c>&lt;|startoflm|&gt;</c>.</param>
/// <param name="StartOfPrevious"><c>&lt;|startofprev|&gt;</c>: opens the previous window's text given as a prompt.</param>
/// <param name="NoSpeech"><c>&lt;|nospeech|&gt;</c>: its probability after the start token is <c>no_speech_prob</c>.</param>
/// <param name="NoTimestamps"><c>&lt;|notimestamps|&gt;</c>.</param>
/// <param name="TimestampBegin"><c>&lt;|0.00|&gt;</c>, the first timestamp; every id from here on is one.</param>
public sealed record WhisperSpecialTokens(
    int EndOfText,
    int StartOfTranscript,
    IReadOnlyList<string> LanguageCodes,
    int Translate,
    int Transcribe,
    int StartOfLm,
    int StartOfPrevious,
    int NoSpeech,
    int NoTimestamps,
    int TimestampBegin)
{
    /// <summary>Seconds one timestamp step stands for: 20 ms (two mel frames, one encoder position).</summary>
    public const double SecondsPerTimestamp = 0.02;

    /// <summary>How many timestamp tokens there are: 1501, <c>&lt;|0.00|&gt;</c> to <c>&lt;|30.00|&gt;</c>.</summary>
    public const int TimestampCount = 1501;

    /// <summary>
    /// The other name Hugging Face tokenizer files give <see cref="NoSpeech"/>: openai/whisper called it
    /// <c>&lt;|nocaptions|&gt;</c> before it became <c>&lt;|nospeech|&gt;</c>.
    /// </summary>
    public const string NoCaptionsText = "<|nocaptions|>";

    /// <summary>The vocabulary size the layout fills, one past <c>&lt;|30.00|&gt;</c>: the width of the model's logits (51865 for the multilingual vocabulary with 99 languages).</summary>
    public int VocabularySize => TimestampBegin + TimestampCount;

    /// <summary>The id of <c>&lt;|en|&gt;</c>, the first language token.</summary>
    public int FirstLanguage => StartOfTranscript + 1;

    /// <summary>Whether <paramref name="id"/> is a timestamp token.</summary>
    public bool IsTimestamp(int id) => id >= TimestampBegin;

    /// <summary>Whether <paramref name="id"/> is a language token.</summary>
    public bool IsLanguage(int id) => id >= FirstLanguage && id < FirstLanguage + LanguageCodes.Count;

    /// <summary>The seconds a timestamp token stands for, from the start of its window.</summary>
    public double TimestampSeconds(int id) => (id - TimestampBegin) * SecondsPerTimestamp;

    /// <summary>The token of language <paramref name="code"/> (<c>en</c>, <c>de</c>, …), or null when the model has none for it.</summary>
    public int? LanguageToken(string code)
    {
        for (var i = 0; i < LanguageCodes.Count; i++)
        {
            if (string.Equals(LanguageCodes[i], code, StringComparison.Ordinal))
            {
                return FirstLanguage + i;
            }
        }

        return null;
    }

    /// <summary>
    /// The text of special token <paramref name="id"/> as Whisper's tiktoken encoding writes it (<c>&lt;|en|&gt;</c>,
    /// <c>&lt;|nospeech|&gt;</c>, <c>&lt;|1.08|&gt;</c>), or null when the id is an ordinary token or past the layout.
    /// </summary>
    public string? Text(int id)
    {
        if (id == EndOfText)
        {
            return "<|endoftext|>";
        }

        if (id == StartOfTranscript)
        {
            return "<|startoftranscript|>";
        }

        if (IsLanguage(id))
        {
            return $"<|{LanguageCodes[id - FirstLanguage]}|>";
        }

        if (id >= TimestampBegin && id < VocabularySize)
        {
            // tokenizer.py writes f"<|{i * 0.02:.2f}|>": the product, then rounded to two places.
            return "<|" + ((id - TimestampBegin) * SecondsPerTimestamp).ToString("F2", CultureInfo.InvariantCulture) + "|>";
        }

        return (id - Translate) switch
        {
            0 => "<|translate|>",
            1 => "<|transcribe|>",
            2 => "<|startoflm|>",
            3 => "<|startofprev|>",
            4 => "<|nospeech|>",
            5 => "<|notimestamps|>",
            _ => null,
        };
    }

    /// <summary>Every special token, <see cref="EndOfText"/> to the last timestamp, with its <see cref="Text"/>, in id order.</summary>
    public IEnumerable<KeyValuePair<string, int>> All()
    {
        for (var id = EndOfText; id < VocabularySize; id++)
        {
            yield return KeyValuePair.Create(Text(id)!, id);
        }
    }

    /// <summary>
    /// The ids as Whisper assigns them to a vocabulary of <paramref name="ordinaryTokens"/> ordinary tokens (50257 for
    /// the multilingual vocabulary, 50256 for GPT-2's) and <paramref name="languageCodes"/> languages.
    /// </summary>
    public static WhisperSpecialTokens After(int ordinaryTokens, IReadOnlyList<string> languageCodes)
    {
        var afterLanguages = ordinaryTokens + 2 + languageCodes.Count;
        return new WhisperSpecialTokens(
            EndOfText: ordinaryTokens,
            StartOfTranscript: ordinaryTokens + 1,
            LanguageCodes: languageCodes,
            Translate: afterLanguages,
            Transcribe: afterLanguages + 1,
            StartOfLm: afterLanguages + 2,
            StartOfPrevious: afterLanguages + 3,
            NoSpeech: afterLanguages + 4,
            NoTimestamps: afterLanguages + 5,
            TimestampBegin: afterLanguages + 6);
    }
}
