namespace GrainServe.Speech.Xtts;

/// <summary>
/// num2words' Spanish (<c>lang_ES</c>): "veintiuno", "treinta y uno", "ciento uno", "doscientos", "quinientos",
/// "mil", "dos mil", "un millón", "dos millones", "mil millones"; ordinals by its <c>ords</c> stems ("primero",
/// "vigésimo primero", "centésimo"); "punto" for the decimal point; "con" before the cents, "un euro", "veintiún
/// dólares", "una libra". Pure.
/// </summary>
internal sealed class XttsSpanishNumbers : XttsSplitNumberWords
{
    private static readonly string[] Low =
    [
        "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce", "trece",
        "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve", "veinte", "veintiuno", "veintidós",
        "veintitrés", "veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho", "veintinueve",
    ];

    // num2words' ords: stems that take the gender ending "o".
    private static readonly Dictionary<long, string> Ordinals = new()
    {
        [1] = "primer", [2] = "segund", [3] = "tercer", [4] = "cuart", [5] = "quint", [6] = "sext", [7] = "séptim",
        [8] = "octav", [9] = "noven", [10] = "décim", [20] = "vigésim", [30] = "trigésim", [40] = "quadragésim",
        [50] = "quincuagésim", [60] = "sexagésim", [70] = "septuagésim", [80] = "octogésim", [90] = "nonagésim",
        [100] = "centésim", [200] = "ducentésim", [300] = "tricentésim", [400] = "cuadrigentésim", [500] = "quingentésim",
        [600] = "sexcentésim", [700] = "septigentésim", [800] = "octigentésim", [900] = "noningentésim",
        [1_000] = "milésim", [1_000_000] = "millonésim", [1_000_000_000] = "billonésim", [1_000_000_000_000] = "trillonésim",
        [1_000_000_000_000_000] = "cuadrillonésim",
    };

    private static readonly Dictionary<string, (string One, string Many, string Cent, string Cents)> Forms = new(StringComparer.Ordinal)
    {
        ["EUR"] = ("euro", "euros", "céntimo", "céntimos"),
        ["USD"] = ("dólar", "dólares", "centavo", "centavos"),
        ["GBP"] = ("libra", "libras", "penique", "peniques"),
    };

    // Declared after the tables its constructor reads: static fields are initialized in textual order.
    /// <summary>The one instance (the converter has no state).</summary>
    public static readonly XttsSpanishNumbers Instance = new();

    private XttsSpanishNumbers()
        : base([
            (1_000_000_000_000_000_000, "trillón"), (1_000_000_000_000, "billón"), (1_000_000, "millón"), (1000, "mil"), (100, "cien"),
            (90, "noventa"), (80, "ochenta"), (70, "setenta"), (60, "sesenta"), (50, "cincuenta"), (40, "cuarenta"), (30, "treinta"),
            .. Low.Select((word, n) => ((long)n, word)),
        ])
    {
    }

    /// <inheritdoc/>
    protected override string Minus => "menos";

    /// <inheritdoc/>
    protected override string PointWord => "punto";

    /// <inheritdoc/>
    protected override string CurrencySeparator => " con";

    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, (string One, string Many, string Cent, string Cents)> CurrencyForms => Forms;

    /// <inheritdoc/>
    public override string Ordinal(long n)
    {
        string text;
        if (n == 0)
        {
            text = "";
        }
        else if (n <= 10)
        {
            text = Ordinals[n] + "o";
        }
        else if (n <= 12)
        {
            text = "décimo" + Ordinal(n - 10);
        }
        else if (n <= 1000)
        {
            var step = n <= 100 ? n / 10 * 10 : n / 100 * 100;
            text = $"{Ordinals[step]}o {Ordinal(n - step)}";
        }
        else if (n < 1_000_000_000_000_000_000)
        {
            // num2words rounds down to a power of 1000 with a float logarithm, so 10^6 is 1000 × 1000 ("milmilésimo").
            var scale = (long)Math.Pow(1000, (int)(Math.Log(n) / Math.Log(1000)));
            var (high, low) = Math.DivRem(n, scale);
            text = $"{(high == 1 ? "" : Cardinal(high))}{Ordinals[scale]}o {Ordinal(low)}";
        }
        else
        {
            text = Cardinal(n);
        }

        return text.Trim();
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

            ctext = "un";
        }
        else if (cnum == 100 && nnum % 1000 != 0)
        {
            ctext += "to";
        }

        if (nnum < cnum)
        {
            return (cnum < 100 ? $"{ctext} y {ntext}" : $"{ctext} {ntext}", cnum + nnum);
        }

        if (nnum % 1_000_000 == 0 && cnum > 1)
        {
            ntext = ntext[..^3] + "lones";
        }

        if (nnum == 100)
        {
            (ctext, ntext) = cnum switch
            {
                5 => ("quinien", ""),
                7 => ("sete", ntext),
                9 => ("nove", ntext),
                _ => (ctext, ntext),
            };
            ntext += "tos";
        }
        else
        {
            ntext = " " + ntext;
        }

        return (ctext + ntext, cnum * nnum);
    }

    // lang_ES.to_currency: "un"/"veintiún" before a masculine unit, "una"/"-cientas" before the feminine libra, in the
    // units part and the cents part separately.
    /// <inheritdoc/>
    protected override string AdjustCurrency(string text, string currency, (string One, string Many, string Cent, string Cents) forms)
    {
        var parts = text.Split(CurrencySeparator + " ");
        if (currency == "GBP")
        {
            parts[0] = parts[0].Replace("uno", "una", StringComparison.Ordinal).Replace("cientos", "cientas", StringComparison.Ordinal);
        }

        for (var i = 0; i < Math.Min(2, parts.Length); i++)
        {
            parts[i] = parts[i].Replace("veintiuno", "veintiún", StringComparison.Ordinal).Replace("uno", "un", StringComparison.Ordinal);
        }

        return string.Join(CurrencySeparator + " ", parts);
    }
}
