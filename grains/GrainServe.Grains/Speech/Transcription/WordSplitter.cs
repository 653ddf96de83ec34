namespace GrainServe.Speech.Transcription;

/// <summary>
/// Whisper's <c>Tokenizer.split_to_word_tokens</c>: groups text tokens into words. Tokens are first grouped into
/// whole characters (a token can hold part of a UTF-8 character); for most languages those then join into words that
/// start at a space or are punctuation, and for languages written without spaces each character group is a word.
/// </summary>
internal static class WordSplitter
{
    /// <summary>The languages whisper splits per character, not at spaces.</summary>
    private static readonly HashSet<string> WithoutSpaces = ["zh", "ja", "th", "lo", "my", "yue"];

    /// <summary>Python's <c>string.punctuation</c>.</summary>
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private const char Replacement = '\uFFFD';

    /// <summary>
    /// The words of <paramref name="tokens"/> and each one's tokens. Tokens at or above <paramref name="endOfText"/>
    /// (the closing <c>&lt;|endoftext|&gt;</c>) are a word of their own, with empty text.
    /// </summary>
    public static (List<string> Words, List<List<int>> Tokens) Split(IReadOnlyList<int> tokens, ITranscriptText text, int endOfText, string language)
    {
        var (subwords, subwordTokens) = SplitOnUnicode(tokens, text, endOfText);
        if (WithoutSpaces.Contains(language))
        {
            return (subwords, subwordTokens);
        }

        var words = new List<string>();
        var wordTokens = new List<List<int>>();
        for (var i = 0; i < subwords.Count; i++)
        {
            var subword = subwords[i];
            var special = subwordTokens[i][0] >= endOfText;
            var withSpace = subword.StartsWith(' ');

            // Python's `in` on strings is a substring test: whitespace alone, or "..." cut from it, counts too.
            var punctuation = Punctuation.Contains(subword.Trim(), StringComparison.Ordinal);
            if (special || withSpace || punctuation || words.Count == 0)
            {
                words.Add(subword);
                wordTokens.Add([.. subwordTokens[i]]);
            }
            else
            {
                words[^1] += subword;
                wordTokens[^1].AddRange(subwordTokens[i]);
            }
        }

        return (words, wordTokens);
    }

    // split_tokens_on_unicode: a group ends where its text holds no replacement character, or where the whole text
    // has one at the same place (an invalid byte sequence in the text itself, not one cut by a token boundary).
    private static (List<string> Words, List<List<int>> Tokens) SplitOnUnicode(IReadOnlyList<int> tokens, ITranscriptText text, int endOfText)
    {
        var ordinary = tokens.Where(t => t < endOfText).ToArray();
        var full = text.Decode(ordinary);
        var words = new List<string>();
        var wordTokens = new List<List<int>>();
        var current = new List<int>();
        var offset = 0;
        foreach (var token in tokens)
        {
            if (token >= endOfText)
            {
                if (current.Count > 0)
                {
                    words.Add(text.Decode([.. current]));
                    wordTokens.Add(current);
                    current = [];
                }

                words.Add(string.Empty);
                wordTokens.Add([token]);
                continue;
            }

            current.Add(token);
            var decoded = text.Decode([.. current]);
            var replacement = decoded.IndexOf(Replacement, StringComparison.Ordinal);
            if (replacement < 0 || (offset + replacement < full.Length && full[offset + replacement] == Replacement))
            {
                words.Add(decoded);
                wordTokens.Add(current);
                current = [];
                offset += decoded.Length;
            }
        }

        if (current.Count > 0)
        {
            words.Add(text.Decode([.. current]));
            wordTokens.Add(current);
        }

        return (words, wordTokens);
    }
}
