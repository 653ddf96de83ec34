using System.Text;
using GrainServe.Generation;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The GPT's id space: audio codes first (then the start and stop codes), text ids from
/// <see cref="XttsSettings.TextTokenOffset"/> on. With the model's <c>vocab.json</c> (<paramref name="tokenizer"/>)
/// the text goes through XTTS's BPE tokenizer with a language token; without one, as UTF-8 bytes with no language (the
/// sample's older layout). The engine's detokenizer gets no text from codes.
/// </summary>
internal sealed class XttsTokens(XttsSettings settings, XttsBpeTokenizer? tokenizer = null) : ITokenDecoder
{
    /// <summary>The language a request without one speaks: English where the vocabulary has it, else its first.</summary>
    public string? DefaultLanguage { get; } = tokenizer is null ? null : tokenizer.Language("en") ?? tokenizer.Languages[0];

    /// <summary>Why <paramref name="language"/> cannot be spoken (a message for a 400), or null when it can or is not given.</summary>
    public string? LanguageError(string? language) =>
        language is null || tokenizer is null || tokenizer.Language(language) is not null
            ? null
            : $"language '{language}' is not one this model's vocabulary has; use one of {string.Join(", ", tokenizer.Languages)}";

    /// <summary>The prompt of <paramref name="text"/>: its text ids, then the start code. A model without a vocabulary ignores <paramref name="language"/>.</summary>
    /// <exception cref="ArgumentException">The vocabulary lacks <paramref name="language"/> (see <see cref="LanguageError"/>).</exception>
    public int[] Prompt(string text, string? language = null)
    {
        if (tokenizer is not null)
        {
            var ids = tokenizer.Encode(text, language ?? DefaultLanguage!);
            var prompt = new int[ids.Count + 1];
            for (var i = 0; i < ids.Count; i++)
            {
                prompt[i] = settings.TextTokenOffset + ids[i];
            }

            prompt[^1] = settings.StartAudioToken;
            return prompt;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var bytePrompt = new int[bytes.Length + 1];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytePrompt[i] = settings.TextTokenOffset + bytes[i];
        }

        bytePrompt[^1] = settings.StartAudioToken;
        return bytePrompt;
    }

    public string Decode(ReadOnlySpan<int> tokens, bool skipSpecialTokens) => "";

    public bool IsSpecial(int token) => true;
}
