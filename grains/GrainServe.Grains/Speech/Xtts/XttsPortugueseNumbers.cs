using System.Text;
using System.Text.RegularExpressions;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// num2words' (European) Portuguese (<c>lang_PT</c>): "vinte e um", "cento e um", "duzentos", "mil duzentos e trinta e
/// quatro", "um milhão", "dois milhões", "mil milhões"; ordinals digit by digit ("vigésimo primeiro", "milésimo");
/// "vírgula" for the decimal point; "e" before the cents, "um milhão de euros", no "e zero cêntimos". Pure.
/// </summary>
internal sealed class XttsPortugueseNumbers : XttsSplitNumberWords
{
    private static readonly string[] Low =
    [
        "zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez", "onze", "doze", "treze", "catorze",
        "quinze", "dezasseis", "dezassete", "dezoito", "dezanove", "vinte",
    ];

    private static readonly string[] Hundreds =
        ["", "cento", "duzentos", "trezentos", "quatrocentos", "quinhentos", "seiscentos", "setecentos", "oitocentos", "novecentos"];

    // num2words' ords: units, tens and hundreds of a digit, and the word before each group of three digits.
    private static readonly string[][] Ordinals =
    [
        ["", "primeiro", "segundo", "terceiro", "quarto", "quinto", "sexto", "sétimo", "oitavo", "nono"],
        ["", "décimo", "vigésimo", "trigésimo", "quadragésimo", "quinquagésimo", "sexagésimo", "septuagésimo", "octogésimo", "nonagésimo"],
        ["", "centésimo", "ducentésimo", "tricentésimo", "quadrigentésimo", "quingentésimo", "seiscentésimo", "septigentésimo", "octigentésimo", "nongentésimo"],
    ];

    private static readonly Dictionary<int, string> ThousandSeparators = new()
    {
        [3] = "milésimo", [6] = "milionésimo", [9] = "milésimo milionésimo", [12] = "bilionésimo", [15] = "milésimo bilionésimo",
    };

    // to_cardinal drops the "e" after these before a hundreds word that is not the last "e" ("mil duzentos e dez").
    private static readonly (string Scale, Regex Pattern)[] ScaleJoins =
    [
        .. new[] { "mil", "milhão", "milhões", "mil milhões", "bilião", "biliões", "mil biliões" }
            .Select(s => (s, new Regex($@"^.*{s} e \w*entos? (?=.*e)", RegexOptions.CultureInvariant))),
    ];

    private static readonly string[] CurrencyScales = ["milhão", "milhões", "bilião", "biliões", "trilião", "triliões"];

    private static readonly Dictionary<string, (string One, string Many, string Cent, string Cents)> Forms = new(StringComparer.Ordinal)
    {
        ["EUR"] = ("euro", "euros", "cêntimo", "cêntimos"),
        ["USD"] = ("dólar", "dólares", "cêntimo", "cêntimos"),
        ["GBP"] = ("libra", "libras", "péni", "pence"),
    };

    // Declared after the tables its constructor reads: static fields are initialized in textual order.
    /// <summary>The one instance (the converter has no state).</summary>
    public static readonly XttsPortugueseNumbers Instance = new();

    private XttsPortugueseNumbers()
        : base([
            (1_000_000_000_000_000_000, "trilião"), (1_000_000_000_000, "bilião"), (1_000_000, "milião"), (1000, "mil"), (100, "cem"),
            (90, "noventa"), (80, "oitenta"), (70, "setenta"), (60, "sessenta"), (50, "cinquenta"), (40, "quarenta"), (30, "trinta"),
            .. Low.Select((word, n) => ((long)n, word)),
        ])
    {
    }

    /// <inheritdoc/>
    protected override string Minus => "menos";

    /// <inheritdoc/>
    protected override string PointWord => "vírgula";

    /// <inheritdoc/>
    protected override string CurrencySeparator => " e";

    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, (string One, string Many, string Cent, string Cents)> CurrencyForms => Forms;

    /// <inheritdoc/>
    public override string Cardinal(long n) => JoinScales(base.Cardinal(n));

    // lang_PT.to_cardinal adjusts a float's words too, after the base class has written them with it.
    /// <inheritdoc/>
    public override string Decimal(double value) => JoinScales(base.Decimal(value));

    /// <inheritdoc/>
    /// <remarks>num2words has no word for the digits beyond 10^18 (it fails); here they are read as a cardinal.</remarks>
    public override string Ordinal(long n)
    {
        var digits = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (digits.Length > 18)
        {
            return Cardinal(n);
        }

        // Lowest digit first; a group's separator ("milésimo") is said once, before its first non-zero digit.
        var words = new List<string>();
        var separator = "";
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[^(i + 1)] - '0';
            if (i > 0 && i % 3 == 0)
            {
                separator = ThousandSeparators[i];
            }

            if (digit != 0 && separator.Length > 0)
            {
                words.Add(separator);
                separator = "";
            }

            words.Add(Ordinals[i % 3][digit]);
        }

        words.Reverse();
        var text = Whitespace(string.Join(' ', words).Trim());

        // "milésimo", not "primeiro milésimo" (num2words cuts the 9 characters "primeiro ").
        return text.StartsWith("primeiro", StringComparison.Ordinal) && n != 1 ? text[9..] : text;
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

            ctext = "um";
        }
        else if (cnum == 100 && nnum % 1000 != 0)
        {
            ctext = "cento";
        }

        if (nnum < cnum)
        {
            return ($"{ctext} e {ntext}", cnum + nnum);
        }

        if (nnum % 1_000_000_000 == 0 && cnum > 1)
        {
            ntext = ntext[..^4] + "liões";
        }
        else if (nnum % 1_000_000 == 0 && cnum > 1)
        {
            ntext = ntext[..^4] + "lhões";
        }

        if (ntext == "milião")
        {
            ntext = "milhão";
        }

        if (nnum == 100)
        {
            ctext = Hundreds[cnum];
            ntext = "";
        }
        else
        {
            ntext = " " + ntext;
        }

        return (ctext + ntext, cnum * nnum);
    }

    // lang_PT.to_currency: "um milhão de euros", and no "e zero cêntimos" (the pence of GBP keep theirs).
    /// <inheritdoc/>
    protected override string AdjustCurrency(string text, string currency, (string One, string Many, string Cent, string Cents) forms)
    {
        foreach (var scale in CurrencyScales)
        {
            if (Regex.IsMatch(text, $"^.*{scale} (?={forms.Many})", RegexOptions.CultureInvariant))
            {
                var at = text.IndexOf(scale, StringComparison.Ordinal);
                text = new StringBuilder(text).Insert(at + scale.Length, " de").ToString();
            }
        }

        return text.Replace(" e zero cêntimos", "", StringComparison.Ordinal);
    }

    private static string JoinScales(string text)
    {
        foreach (var (scale, pattern) in ScaleJoins)
        {
            if (pattern.IsMatch(text))
            {
                text = text.Replace($"{scale} e", scale, StringComparison.Ordinal);
            }
        }

        return text;
    }

    private static string Whitespace(string text) => Regex.Replace(text, @"\s+", " ", RegexOptions.CultureInvariant);
}
