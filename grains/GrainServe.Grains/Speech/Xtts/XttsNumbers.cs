using System.Text.RegularExpressions;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// The seam between XTTS's cleaner and its number converters: XTTS's <c>expand_numbers_multilingual</c> for each
/// language that has one here (digits, currency, decimals and ordinals written out as <c>num2words</c> writes them for
/// that language). A language missing here keeps its digits.
/// </summary>
internal static class XttsNumbers
{
    // XTTS's _ordinal_re per language, verbatim (its alternatives are tried in order: Spanish "2os" is "2o" then "s").
    private static readonly Dictionary<string, Func<string, string>> Expanders = new(StringComparer.Ordinal)
    {
        ["en"] = XttsEnglishNumbers.Expand,
        ["es"] = Multilingual(XttsSpanishNumbers.Instance, "([0-9]+)(º|ª|er|o|a|os|as)", " con "),
        ["fr"] = Multilingual(XttsFrenchNumbers.Instance, "([0-9]+)(º|ª|er|re|e|ème)", " et "),
        ["de"] = Multilingual(XttsGermanNumbers.Instance, @"([0-9]+)(st|nd|rd|th|º|ª|\.(?=\s|$))", " und "),
        ["pt"] = Multilingual(XttsPortugueseNumbers.Instance, "([0-9]+)(º|ª|o|a|os|as)", " e "),
        ["it"] = Multilingual(XttsItalianNumbers.Instance, "([0-9]+)(º|°|ª|o|a|i|e)", " e "),
    };

    /// <summary>The languages whose numbers are written out.</summary>
    public static IEnumerable<string> Languages => Expanders.Keys;

    /// <summary>The number expansion for <paramref name="language"/>, or null where its digits are kept.</summary>
    public static Func<string, string>? For(string language) => Expanders.GetValueOrDefault(language);

    private static Func<string, string> Multilingual(XttsNumberWords words, string ordinal, string and) =>
        new XttsMultilingualNumbers(words, new Regex(ordinal, RegexOptions.CultureInvariant), and).Expand;
}
