using System.Text.RegularExpressions;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS's <c>multilingual_cleaners</c>, what its tokenizer does to the text first: double quotes dropped, Turkish's
/// dotted capitals folded, lower-cased, numbers written out where a converter exists for the language
/// (<see cref="XttsNumbers"/>, as XTTS does with <c>num2words</c>), the language's abbreviations (<c>mr.</c>,
/// <c>dr.</c>, ...) and symbols (<c>&amp;</c>, <c>%</c>, ...) written out (<see cref="XttsCleanerTables"/>), whitespace
/// collapsed; then Korean's Hangul romanized (<see cref="XttsKoreanRomanizer"/>), as XTTS's <c>preprocess_text</c>
/// does after the cleaners. A language without a table keeps its text as it is after lower-casing; one without a
/// number converter keeps its digits (both said in the README). Pure.
/// </summary>
internal static partial class XttsTextCleaner
{
    // XTTS's preprocess_text romanizes after the cleaners (Korean's hangul_romanize); pypinyin and cutlet need
    // dictionaries, so Chinese and Japanese are left as they are.
    private static readonly Dictionary<string, Func<string, string>> Transliterations = new(StringComparer.Ordinal)
    {
        ["ko"] = XttsKoreanRomanizer.Romanize,
    };

    // One entry per language that has any table, compiled once: the same path serves every language.
    private static readonly Dictionary<string, Rules> Languages = BuildRules();

    /// <summary>The text as XTTS's tokenizer sees it for <paramref name="language"/> (a vocabulary's language token name).</summary>
    public static string Clean(string text, string language)
    {
        text = text.Replace("\"", "", StringComparison.Ordinal);
        if (language == "tr")
        {
            text = text.Replace('İ', 'i').Replace('Ö', 'ö').Replace('Ü', 'ü');
        }

        text = text.ToLowerInvariant();
        if (Languages.TryGetValue(language, out var rules))
        {
            // XTTS's order: numbers, then abbreviations, then symbols (so "5%" is read "five percent").
            if (rules.Numbers is { } numbers)
            {
                text = numbers(text);
            }

            foreach (var (pattern, expansion) in rules.Abbreviations)
            {
                text = pattern.Replace(text, expansion);
            }

            foreach (var (symbol, words) in rules.Symbols)
            {
                text = text.Replace(symbol, words, StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal);
            }

            text = text.Trim();
        }

        text = Whitespace().Replace(text, " ");
        return Transliterations.TryGetValue(language, out var transliterate) ? transliterate(text) : text;
    }

    private static Dictionary<string, Rules> BuildRules()
    {
        var languages = XttsCleanerTables.Abbreviations.Keys.Union(XttsCleanerTables.Symbols.Keys).Union(XttsNumbers.Languages);
        return languages.ToDictionary(
            language => language,
            language =>
            {
                // XTTS does not escape its abbreviations (none has a regex metacharacter but Russian's '-', literal outside a class).
                var edge = XttsCleanerTables.UndottedAbbreviations.Contains(language) ? @"\b" : @"\.";
                var abbreviations = XttsCleanerTables.Abbreviations.GetValueOrDefault(language, []);
                return new Rules(
                    XttsNumbers.For(language),
                    [.. abbreviations.Select(a => (new Regex($@"\b{a.Abbreviation}{edge}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), a.Expansion))],
                    XttsCleanerTables.Symbols.GetValueOrDefault(language, []));
            },
            StringComparer.Ordinal);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private sealed record Rules(Func<string, string>? Numbers, (Regex Pattern, string Expansion)[] Abbreviations, (string Symbol, string Words)[] Symbols);
}
