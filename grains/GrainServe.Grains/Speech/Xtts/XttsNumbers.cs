namespace GrainServe.Speech.Xtts;

/// <summary>
/// The seam between XTTS's cleaner and its number converters: XTTS's <c>expand_numbers_multilingual</c> for each
/// language that has one here (digits, currency, decimals and ordinals written out as <c>num2words</c> writes them for
/// that language). A language missing here keeps its digits.
/// </summary>
internal static class XttsNumbers
{
    private static readonly Dictionary<string, Func<string, string>> Expanders = new(StringComparer.Ordinal)
    {
        ["en"] = XttsEnglishNumbers.Expand,
    };

    /// <summary>The languages whose numbers are written out.</summary>
    public static IEnumerable<string> Languages => Expanders.Keys;

    /// <summary>The number expansion for <paramref name="language"/>, or null where its digits are kept.</summary>
    public static Func<string, string>? For(string language) => Expanders.GetValueOrDefault(language);
}
