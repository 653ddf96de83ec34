using System.Text.RegularExpressions;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// num2words' German (<c>lang_DE</c>): "einundzwanzig", "einhundert", "einhunderteins", "eintausend", "eine Million",
/// "zwei Millionen", "eine Milliarde" (capitalized as num2words writes them, after XTTS has lower-cased the text);
/// ordinals by "-te"/"-ste" ("erste", "dritte", "zwanzigste", "hundertste"); "Komma" for the decimal point; "und"
/// before the cents, "ein Euro". Pure.
/// </summary>
internal sealed partial class XttsGermanNumbers : XttsSplitNumberWords
{
    private static readonly string[] Low =
    [
        "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf", "dreizehn",
        "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn", "zwanzig",
    ];

    // num2words' ords, tried in this order: the first ending that matches is replaced, then "te" is appended.
    private static readonly (string Ending, string Stem)[] Ordinals =
    [
        ("eins", "ers"), ("drei", "drit"), ("acht", "ach"), ("sieben", "sieb"), ("ig", "igs"), ("ert", "erts"), ("end", "ends"),
        ("ion", "ions"), ("nen", "ns"), ("rde", "rds"), ("rden", "rds"),
    ];

    private static readonly Dictionary<string, (string One, string Many, string Cent, string Cents)> Forms = new(StringComparer.Ordinal)
    {
        ["EUR"] = ("Euro", "Euro", "Cent", "Cent"),
        ["USD"] = ("Dollar", "Dollar", "Cent", "Cent"),
        ["GBP"] = ("Pfund", "Pfund", "Penny", "Pence"),
    };

    // Declared after the tables its constructor reads: static fields are initialized in textual order.
    /// <summary>The one instance (the converter has no state).</summary>
    public static readonly XttsGermanNumbers Instance = new();

    private XttsGermanNumbers()
        : base([
            (1_000_000_000_000_000_000, "Trillion"), (1_000_000_000_000_000, "Billiarde"), (1_000_000_000_000, "Billion"),
            (1_000_000_000, "Milliarde"), (1_000_000, "Million"), (1000, "tausend"), (100, "hundert"), (90, "neunzig"),
            (80, "achtzig"), (70, "siebzig"), (60, "sechzig"), (50, "fünfzig"), (40, "vierzig"), (30, "dreißig"),
            .. Low.Select((word, n) => ((long)n, word)),
        ])
    {
    }

    /// <inheritdoc/>
    protected override string Minus => "minus";

    /// <inheritdoc/>
    protected override string PointWord => "Komma";

    /// <inheritdoc/>
    protected override string CurrencySeparator => " und";

    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, (string One, string Many, string Cent, string Cents)> CurrencyForms => Forms;

    /// <inheritdoc/>
    public override string Ordinal(long n)
    {
        var word = Cardinal(n).ToLowerInvariant();
        foreach (var (ending, stem) in Ordinals)
        {
            if (word.EndsWith(ending, StringComparison.Ordinal))
            {
                word = word[..^ending.Length] + stem;
                break;
            }
        }

        var ordinal = word + "te";

        // num2words: "hundertste", not "einhundertste"; "millionste" and "zweimillionste", without "eine" or a space.
        if (ordinal is "eintausendste" or "einhundertste")
        {
            ordinal = ordinal[3..];
        }

        ordinal = LeadingEine().Replace(ordinal, "$1");
        return SpacedScale().Replace(ordinal, "$1");
    }

    /// <inheritdoc/>
    protected override (string Text, long Value) Merge((string Text, long Value) current, (string Text, long Value) next)
    {
        var (ctext, cnum) = current;
        var (ntext, nnum) = next;
        if (cnum == 1)
        {
            if (nnum is 100 or 1000)
            {
                return ("ein" + ntext, nnum);
            }

            if (nnum < 1_000_000)
            {
                return next;
            }

            ctext = "eine";
        }

        long value;
        if (nnum > cnum)
        {
            if (nnum >= 1_000_000)
            {
                if (cnum > 1)
                {
                    ntext += ntext.EndsWith('e') ? "n" : "en";
                }

                ctext += " ";
            }

            value = cnum * nnum;
        }
        else
        {
            if (nnum < 10 && cnum is > 10 and < 100)
            {
                // The ones before the tens: "einundzwanzig".
                (ctext, ntext) = ((nnum == 1 ? "ein" : ntext) + "und", ctext);
            }
            else if (cnum >= 1_000_000)
            {
                ctext += " ";
            }

            value = cnum + nnum;
        }

        return (ctext + ntext, value);
    }

    /// <inheritdoc/>
    protected override string AdjustCurrency(string text, string currency, (string One, string Many, string Cent, string Cents) forms) =>
        text.Replace("eins ", "ein ", StringComparison.Ordinal);

    [GeneratedRegex(@"eine ([a-z]+(illion|illiard)ste)$", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingEine();

    [GeneratedRegex(@" ([a-z]+(illion|illiard)ste)$", RegexOptions.CultureInvariant)]
    private static partial Regex SpacedScale();
}
