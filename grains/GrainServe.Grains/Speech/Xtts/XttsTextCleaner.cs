using System.Text.RegularExpressions;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS's <c>multilingual_cleaners</c>, what its tokenizer does to the text first: double quotes dropped, Turkish's
/// dotted capitals folded, lower-cased, English numbers written out (<see cref="XttsEnglishNumbers"/>, as XTTS does
/// with <c>num2words</c>), English abbreviations (<c>mr.</c>, <c>dr.</c>, ...) and symbols (<c>&amp;</c>, <c>%</c>, ...)
/// written out, whitespace collapsed. The departure, said in the README: only English's number, abbreviation and symbol
/// tables are applied (XTTS has one per language; other languages keep their digits). Pure.
/// </summary>
internal static partial class XttsTextCleaner
{
    // XTTS's English abbreviation table, matched as \bmr\. case-insensitively (after lower-casing).
    private static readonly (string Abbreviation, string Expansion)[] EnglishAbbreviations =
    [
        ("mrs", "misess"), ("mr", "mister"), ("dr", "doctor"), ("st", "saint"), ("co", "company"), ("jr", "junior"),
        ("maj", "major"), ("gen", "general"), ("drs", "doctors"), ("rev", "reverend"), ("lt", "lieutenant"),
        ("hon", "honorable"), ("sgt", "sergeant"), ("capt", "captain"), ("esq", "esquire"), ("ltd", "limited"),
        ("col", "colonel"), ("ft", "fort"),
    ];

    private static readonly (string Symbol, string Words)[] EnglishSymbols =
        [("&", " and "), ("@", " at "), ("%", " percent "), ("#", " hash "), ("$", " dollar "), ("£", " pound "), ("°", " degree ")];

    private static readonly Regex[] AbbreviationPatterns =
        [.. EnglishAbbreviations.Select(a => new Regex($@"\b{a.Abbreviation}\.", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))];

    /// <summary>The text as XTTS's tokenizer sees it for <paramref name="language"/> (a vocabulary's language token name).</summary>
    public static string Clean(string text, string language)
    {
        text = text.Replace("\"", "", StringComparison.Ordinal);
        if (language == "tr")
        {
            text = text.Replace('İ', 'i').Replace('Ö', 'ö').Replace('Ü', 'ü');
        }

        text = text.ToLowerInvariant();
        if (language == "en")
        {
            text = XttsEnglishNumbers.Expand(text);
            for (var i = 0; i < EnglishAbbreviations.Length; i++)
            {
                text = AbbreviationPatterns[i].Replace(text, EnglishAbbreviations[i].Expansion);
            }

            foreach (var (symbol, words) in EnglishSymbols)
            {
                text = text.Replace(symbol, words, StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal);
            }

            text = text.Trim();
        }

        return Whitespace().Replace(text, " ");
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
