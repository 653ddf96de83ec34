using System.Text;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS's <c>korean_transliterate</c>: <c>hangul_romanize</c>'s <c>Transliter(academic)</c>, which writes each Hangul
/// syllable as its initial, vowel and final in the Revised Romanization letters, letter for letter ("밝" is "balg",
/// "먹는" "meogneun"), with a hyphen before a syllable whose reading would otherwise be ambiguous: one starting with
/// the silent ㅇ after another syllable ("물엿" is "mul-yeos"), or one whose letters, run into the previous final, split
/// into a final and an initial in more than one way ("없었습니다" is "eobs-eoss-seubnida"). Every other character is
/// kept. Pure; a syllable decomposes arithmetically (U+AC00 + (initial × 21 + vowel) × 28 + final), so no dictionary.
/// </summary>
internal static class XttsKoreanRomanizer
{
    private const char First = '가';
    private const char Last = '힣';
    private const int SilentInitial = 11;

    private static readonly string[] Initials = ["g", "kk", "n", "d", "tt", "l", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];

    private static readonly string[] Vowels =
        ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"];

    private static readonly string[] Finals =
    [
        "", "g", "kk", "gs", "n", "nj", "nh", "d", "l", "lg", "lm", "lb", "ls", "lt", "lp", "lh", "m", "b", "bs", "s", "ss", "ng", "j",
        "ch", "k", "t", "p", "h",
    ];

    // hangul_romanize's academic_ambiguous_patterns: final + initial letters that split into (final, non-empty
    // initial) more than one way ("kk" is '' + "kk" or "k" + "k").
    private static readonly HashSet<string> Ambiguous =
    [
        .. Finals.SelectMany(f => Initials.Select(i => f + i))
            .Where(joined => Enumerable.Range(0, joined.Length).Count(cut => Finals.Contains(joined[..cut]) && Initials.Contains(joined[cut..])) > 1),
    ];

    /// <summary>The text with its Hangul syllables romanized.</summary>
    public static string Romanize(string text)
    {
        var result = new StringBuilder(text.Length * 2);
        int? previousFinal = null;
        foreach (var c in text)
        {
            if (c is < First or > Last)
            {
                result.Append(c);
                previousFinal = null;
                continue;
            }

            var index = c - First;
            var (initial, vowel, final) = (index / 588, index / 28 % 21, index % 28);
            if (previousFinal is { } before && (initial == SilentInitial || Ambiguous.Contains(Finals[before] + Initials[initial])))
            {
                result.Append('-');
            }

            result.Append(Initials[initial]).Append(Vowels[vowel]).Append(Finals[final]);
            previousFinal = final;
        }

        return result.ToString();
    }
}
