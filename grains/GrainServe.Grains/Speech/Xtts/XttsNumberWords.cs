using System.Globalization;
using System.Numerics;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// One language's number words as <c>num2words</c> writes them, the calls XTTS's <c>expand_numbers_multilingual</c>
/// makes: <c>num2words(n, lang)</c>, <c>ordinal=True</c>, a float (<c>_expand_decimal_point</c>) and
/// <c>to="currency"</c>. The float and currency forms are <c>num2words</c>' <c>Num2Word_Base</c> ones
/// (<c>to_cardinal_float</c>, <c>to_currency</c>), which a language adjusts. Pure.
/// </summary>
internal abstract class XttsNumberWords
{
    // 10^0 .. 10^22, each exactly a double, as Python's float * 10**precision multiplies.
    private static readonly double[] PowersOfTen = [.. Enumerable.Range(0, 23).Select(p => double.Parse($"1e{p}", CultureInfo.InvariantCulture))];

    /// <summary><c>num2words(n, lang=...)</c>.</summary>
    public abstract string Cardinal(long n);

    /// <summary><c>num2words(n, ordinal=True, lang=...)</c>, for <paramref name="n"/> ≥ 0.</summary>
    public abstract string Ordinal(long n);

    /// <summary>
    /// <c>num2words(value, lang=...)</c> for a float ≥ 0 below 10^15: <c>to_cardinal_float</c>, the whole part, the point
    /// word and each digit of the fraction as Python's <c>str(value)</c> shows it (<c>12.0</c> has one, "zero").
    /// </summary>
    public virtual string Decimal(double value)
    {
        var precision = FractionDigits(value);
        var whole = (long)value;
        var post = Math.Abs(value - whole) * PowersOfTen[precision];

        // num2words floors beyond the precision, but rounds a value within 0.01 of an integer (1.239999 is 1.24).
        var rounded = Math.Round(post, MidpointRounding.ToEven);
        var fraction = (long)(Math.Abs(rounded - post) < 0.01 ? rounded : Math.Floor(post));
        var digits = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0');

        var words = new List<string> { Cardinal(whole) };
        if (precision > 0)
        {
            words.Add(PointWord);
        }

        words.AddRange(digits.Take(precision).Select(d => Cardinal(d - '0')));
        return string.Join(' ', words);
    }

    /// <summary>
    /// <c>num2words(amount, to="currency", currency=...)</c> for a float amount ≥ 0 below 10^15: the amount, its unit,
    /// the language's separator and the cents with theirs (always, as a float always has a decimal point);
    /// <paramref name="currency"/> is <c>EUR</c>, <c>USD</c> or <c>GBP</c>.
    /// </summary>
    public string Currency(double amount, string currency)
    {
        var (whole, cents) = RoundCents(amount);
        var forms = CurrencyForms[currency];
        var text = $"{Cardinal(whole)} {(whole == 1 ? forms.One : forms.Many)}{CurrencySeparator} {Cardinal(cents)} {(cents == 1 ? forms.Cent : forms.Cents)}";
        return AdjustCurrency(text, currency, forms);
    }

    /// <summary>num2words' <c>pointword</c>: "punto", "virgule", "Komma", ...</summary>
    protected abstract string PointWord { get; }

    /// <summary>What <c>to_currency</c> puts between the units and the cents, before a space (English's ",", Spanish's " con").</summary>
    protected abstract string CurrencySeparator { get; }

    /// <summary>The language's <c>CURRENCY_FORMS</c> for EUR, USD and GBP: unit and cent, singular and plural.</summary>
    protected abstract IReadOnlyDictionary<string, (string One, string Many, string Cent, string Cents)> CurrencyForms { get; }

    /// <summary>The language's own changes to <c>to_currency</c>'s text ("uno euro" is "un euro", ...); none by default.</summary>
    protected virtual string AdjustCurrency(string text, string currency, (string One, string Many, string Cent, string Cents) forms) => text;

    /// <summary>How many digits Python's <c>str(value)</c> has after the point (<c>Decimal(str(value))</c>'s exponent): 1 for a whole value ("12.0").</summary>
    protected static int FractionDigits(double value)
    {
        // "R" is the shortest text that reads back as the value, Python's repr; both switch to an exponent below 1e-4.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? shortest : shortest[..e];
        var exponent = e < 0 ? 0 : int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        if (point < 0 && e < 0)
        {
            return 1;
        }

        var after = point < 0 ? 0 : mantissa.Length - point - 1;
        return Math.Clamp(after - exponent, 0, PowersOfTen.Length - 1);
    }

    // num2words' parse_currency_parts: Decimal(value) is the float's exact binary value, quantized to cents half up.
    private static (long Whole, int Cents) RoundCents(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xF_FFFF_FFFF_FFFF;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        exponent -= 1075;
        BigInteger hundredths;
        if (exponent >= 0)
        {
            hundredths = new BigInteger(mantissa) * 100 << exponent;
        }
        else
        {
            var denominator = BigInteger.One << -exponent;
            hundredths = BigInteger.DivRem(new BigInteger(mantissa) * 100, denominator, out var remainder);
            if (remainder * 2 >= denominator)
            {
                hundredths++;
            }
        }

        return ((long)(hundredths / 100), (int)(hundredths % 100));
    }
}
