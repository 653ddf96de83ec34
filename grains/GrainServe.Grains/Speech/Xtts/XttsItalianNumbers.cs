using System.Globalization;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// num2words' Italian (<c>lang_IT</c>), which writes its own words rather than through cards: "ventuno", "ventitré",
/// "centotto", "duemila", "un milione e sette", "tre milioni"; ordinals by "-esimo" ("ventitreesimo", "millesimo");
/// "virgola" then each digit of the float as Python prints it; "e" before the cents, "un euro", "una sterlina". Pure.
/// </summary>
/// <remarks>
/// Ported as written, including that every level re-applies its accent rule: a word ending in "tre" gets "tré" and one
/// ending in "tré" loses it, so 23 is "ventitré" but 123 "centoventitre".
/// </remarks>
internal sealed class XttsItalianNumbers : XttsNumberWords
{
    private const string Zero = "zero";

    private static readonly string[] Words =
    [
        Zero, "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove", "dieci", "undici", "dodici", "tredici",
        "quattordici", "quindici", "sedici", "diciassette", "diciotto", "diciannove",
    ];

    private static readonly string[] OrdinalWords =
    [
        Zero, "primo", "secondo", "terzo", "quarto", "quinto", "sesto", "settimo", "ottavo", "nono", "decimo", "undicesimo",
        "dodicesimo", "tredicesimo", "quattordicesimo", "quindicesimo", "sedicesimo", "diciassettesimo", "diciottesimo",
        "diciannovesimo",
    ];

    private static readonly Dictionary<long, string> Tens = new() { [2] = "venti", [3] = "trenta", [4] = "quaranta", [6] = "sessanta" };

    private static readonly string[] ExponentPrefixes = [Zero, "m", "b", "tr", "quadr", "quint", "sest", "sett", "ott", "nov", "dec"];

    private static readonly Dictionary<string, (string One, string Many, string Cent, string Cents)> Forms = new(StringComparer.Ordinal)
    {
        ["EUR"] = ("euro", "euro", "centesimo", "centesimi"),
        ["USD"] = ("dollaro", "dollari", "centesimo", "centesimi"),
        ["GBP"] = ("sterlina", "sterline", "penny", "penny"),
    };

    // Declared after the tables its constructor reads: static fields are initialized in textual order.
    /// <summary>The one instance (the converter has no state).</summary>
    public static readonly XttsItalianNumbers Instance = new();

    private XttsItalianNumbers()
    {
    }

    /// <inheritdoc/>
    protected override string PointWord => "virgola";

    /// <inheritdoc/>
    protected override string CurrencySeparator => " e";

    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, (string One, string Many, string Cent, string Cents)> CurrencyForms => Forms;

    /// <inheritdoc/>
    public override string Cardinal(long n)
    {
        // -long.MinValue is itself: the "meno" recursion would never end.
        ArgumentOutOfRangeException.ThrowIfEqual(n, long.MinValue);
        var text = n switch
        {
            < 0 => "meno " + Cardinal(-n),
            < 20 => Words[n],
            < 100 => TensToCardinal(n),
            < 1000 => HundredsToCardinal(n),
            < 1_000_000 => ThousandsToCardinal(n),
            _ => BigNumberToCardinal(n),
        };
        return Accentuate(text);
    }

    /// <inheritdoc/>
    public override string Ordinal(long n)
    {
        var tens = n % 100;
        var outsideTeens = tens is <= 10 or >= 20;
        if (n < 20)
        {
            return OrdinalWords[n];
        }

        if (outsideTeens && tens % 10 == 3)
        {
            return Cardinal(n)[..^1] + "eesimo";
        }

        if (outsideTeens && tens % 10 == 6)
        {
            return Cardinal(n) + "esimo";
        }

        var stem = Cardinal(n)[..^1];
        return (stem.EndsWith("mil", StringComparison.Ordinal) ? stem + "l" : stem) + "esimo";
    }

    /// <inheritdoc/>
    /// <remarks>
    /// lang_IT's float_to_words: the whole part, "virgola", then each digit after the point of Python's <c>str</c>;
    /// a whole float is a cardinal. Python prints below 1e-4 with an exponent, which lang_IT cannot read (it fails);
    /// here such a value's digits are read as <see cref="XttsNumberWords.Decimal"/> would.
    /// </remarks>
    public override string Decimal(double value)
    {
        if (value == Math.Floor(value))
        {
            return Cardinal((long)value);
        }

        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var point = shortest.IndexOf('.', StringComparison.Ordinal);
        if (shortest.Contains('E', StringComparison.Ordinal) || point < 0)
        {
            return base.Decimal(value);
        }

        var digits = shortest[(point + 1)..].Select(d => Cardinal(d - '0'));
        return Accentuate($"{Cardinal((long)value)} {PointWord} {string.Join(' ', digits)}");
    }

    // lang_IT.to_currency: "un euro", "ventun dollari" ("uno" becomes "un" everywhere), "una sterlina".
    /// <inheritdoc/>
    protected override string AdjustCurrency(string text, string currency, (string One, string Many, string Cent, string Cents) forms)
    {
        if (currency == "GBP" && text.StartsWith("uno ", StringComparison.Ordinal))
        {
            text = "una" + text[3..];
        }

        return text.Replace("uno", "un", StringComparison.Ordinal);
    }

    private static string TensToCardinal(long n)
    {
        var prefix = Tens.TryGetValue(n / 10, out var tens) ? tens : Words[n / 10][..^1] + "anta";
        return PhoneticContraction(prefix + OmitIfZero(Words[n % 10]));
    }

    private string HundredsToCardinal(long n)
    {
        var prefix = n / 100 == 1 ? "cento" : Words[n / 100] + "cento";
        return PhoneticContraction(prefix + OmitIfZero(Cardinal(n % 100)));
    }

    // "mille" and "mila" take no contraction.
    private string ThousandsToCardinal(long n)
    {
        var prefix = n / 1000 == 1 ? "mille" : Cardinal(n / 1000) + "mila";
        return prefix + OmitIfZero(Cardinal(n % 1000));
    }

    private string BigNumberToCardinal(long n)
    {
        var digits = n.ToString(CultureInfo.InvariantCulture);

        // The digits before the "-ilione"/"-iliardo" word: "cento miliardi" has 3, "un miliardo" 1.
        var before = digits.Length % 3 == 0 ? 3 : digits.Length % 3;
        var multiplier = digits[..before];
        var exponent = digits[before..];
        var infix = ExponentPrefixes[exponent.Length / 6] + (exponent.Length % 6 == 0 ? "ilione" : "iliardo");
        string prefix;
        if (multiplier == "1")
        {
            prefix = "un ";
        }
        else
        {
            prefix = Cardinal(long.Parse(multiplier, CultureInfo.InvariantCulture));
            infix = " " + infix[..^1] + "i";
        }

        var postfix = "";
        if (exponent.Any(d => d != '0'))
        {
            postfix = Cardinal(long.Parse(exponent, CultureInfo.InvariantCulture));
            infix += postfix.Contains(" e ", StringComparison.Ordinal) ? ", " : " e ";
        }

        return prefix + infix + postfix;
    }

    private static string OmitIfZero(string words) => words == Zero ? "" : words;

    private static string PhoneticContraction(string text) => text
        .Replace("oo", "o", StringComparison.Ordinal)
        .Replace("ao", "o", StringComparison.Ordinal)
        .Replace("io", "o", StringComparison.Ordinal)
        .Replace("au", "u", StringComparison.Ordinal)
        .Replace("iu", "u", StringComparison.Ordinal);

    // Accents the last "tre" of a compound word and drops any earlier accent.
    private static string Accentuate(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(word =>
        word.EndsWith("tre", StringComparison.Ordinal) && word.Length > 3
            ? word.Replace("tré", "tre", StringComparison.Ordinal)[..^3] + "tré"
            : word.Replace("tré", "tre", StringComparison.Ordinal)));
}
