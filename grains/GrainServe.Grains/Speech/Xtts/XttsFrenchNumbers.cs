namespace GrainServe.Speech.Xtts;

/// <summary>
/// num2words' French (<c>lang_FR</c>): "vingt et un", "soixante-dix", "soixante et onze", "quatre-vingts",
/// "quatre-vingt-un", "deux cents", "deux cent un", "mille", "deux mille", "un million", "deux millions"; ordinals
/// by "-ième" ("premier", "deuxième", "cinquième", "neuvième", "vingt et unième"); "virgule" for the decimal point;
/// "et" before the cents. Pure.
/// </summary>
internal sealed class XttsFrenchNumbers : XttsSplitNumberWords
{
    private static readonly string[] Low =
    [
        "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "treize",
        "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf", "vingt",
    ];

    private static readonly Dictionary<string, (string One, string Many, string Cent, string Cents)> Forms = new(StringComparer.Ordinal)
    {
        ["EUR"] = ("euro", "euros", "centime", "centimes"),
        ["USD"] = ("dollar", "dollars", "cent", "cents"),
        ["GBP"] = ("livre", "livres", "penny", "pence"),
    };

    // Declared after the tables its constructor reads: static fields are initialized in textual order.
    /// <summary>The one instance (the converter has no state).</summary>
    public static readonly XttsFrenchNumbers Instance = new();

    private XttsFrenchNumbers()
        : base([
            (1_000_000_000_000_000_000, "trillion"), (1_000_000_000_000_000, "billiard"), (1_000_000_000_000, "billion"),
            (1_000_000_000, "milliard"), (1_000_000, "million"), (1000, "mille"), (100, "cent"), (80, "quatre-vingts"),
            (60, "soixante"), (50, "cinquante"), (40, "quarante"), (30, "trente"),
            .. Low.Select((word, n) => ((long)n, word)),
        ])
    {
    }

    /// <inheritdoc/>
    protected override string Minus => "moins";

    /// <inheritdoc/>
    protected override string PointWord => "virgule";

    /// <inheritdoc/>
    protected override string CurrencySeparator => " et";

    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, (string One, string Many, string Cent, string Cents)> CurrencyForms => Forms;

    /// <inheritdoc/>
    public override string Ordinal(long n)
    {
        if (n == 1)
        {
            return "premier";
        }

        var word = Cardinal(n);
        if (word.EndsWith("cinq", StringComparison.Ordinal))
        {
            return word[..^4] + "cinquième";
        }

        if (word.EndsWith("neuf", StringComparison.Ordinal))
        {
            return word[..^4] + "neuvième";
        }

        return (word.EndsWith('e') ? word[..^1] : word) + "ième";
    }

    /// <inheritdoc/>
    protected override (string Text, long Value) Merge((string Text, long Value) current, (string Text, long Value) next)
    {
        var (ctext, cnum) = current;
        var (ntext, nnum) = next;
        if (cnum == 1)
        {
            if (nnum < 1_000_000)
            {
                return next;
            }
        }
        else
        {
            // "quatre-vingts" and "deux cents" lose their s before another number, not before a million.
            if (((cnum - 80) % 100 == 0 || (cnum % 100 == 0 && cnum < 1000)) && nnum < 1_000_000 && ctext.EndsWith('s'))
            {
                ctext = ctext[..^1];
            }

            if (cnum < 1000 && nnum != 1000 && !ntext.EndsWith('s') && nnum % 100 == 0)
            {
                ntext += "s";
            }
        }

        if (nnum < cnum && cnum < 100)
        {
            return (nnum % 10 == 1 && cnum != 80 ? $"{ctext} et {ntext}" : $"{ctext}-{ntext}", cnum + nnum);
        }

        return nnum > cnum ? ($"{ctext} {ntext}", cnum * nnum) : ($"{ctext} {ntext}", cnum + nnum);
    }
}
