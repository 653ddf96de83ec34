using System.Globalization;
using System.Text.RegularExpressions;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS's <c>expand_numbers_multilingual</c> for a language other than English, in its order: dots dropped from
/// numbers (<c>_dot_number_re</c>: the dot is a thousands separator, and its unescaped <c>.</c> drops any character's
/// dots the same way), pounds, dollars and euros read out (<c>_expand_currency</c>: <c>to="currency"</c>, a whole
/// amount cut at the last of the language's "and"), decimals with either separator (<c>_expand_decimal_point</c>),
/// the language's ordinals (<c>_ordinal_re</c>), then every other run of digits as a cardinal. Pure; the input is
/// lower-cased already.
/// </summary>
/// <param name="words">The language's num2words.</param>
/// <param name="ordinal">XTTS's <c>_ordinal_re</c> for the language: the digits in group 1, the suffix it consumes after.</param>
/// <param name="and">XTTS's <c>and_equivalents</c> entry: where a whole amount's currency text is cut (" con ", " et ", ...).</param>
/// <remarks>
/// A run of digits too long for a 64-bit integer (or a decimal of 10^15 or more) is read digit by digit, and an amount
/// of 10^15 or more is left to the number pass, where num2words would go on.
/// </remarks>
internal sealed partial class XttsMultilingualNumbers(XttsNumberWords words, Regex ordinal, string and)
{
    // XTTS's _currency_re, applied in this order.
    private static readonly (string Code, Regex Pattern)[] Currencies =
    [
        ("GBP", new Regex(@"((£[0-9\.\,]*[0-9]+)|([0-9\.\,]*[0-9]+£))", RegexOptions.CultureInvariant)),
        ("USD", new Regex(@"((\$[0-9\.\,]*[0-9]+)|([0-9\.\,]*[0-9]+\$))", RegexOptions.CultureInvariant)),
        ("EUR", new Regex(@"(([0-9\.\,]*[0-9]+€)|((€[0-9\.\,]*[0-9]+)))", RegexOptions.CultureInvariant)),
    ];

    /// <summary>The text with its numbers written out as XTTS writes them for the language.</summary>
    public string Expand(string text)
    {
        text = DotNumber().Replace(text, m => m.Value.Replace(".", "", StringComparison.Ordinal));
        text = ExpandCurrencies(text);
        text = DecimalNumber().Replace(text, m => Decimal(m.Groups[1].Value.Replace(',', '.')));
        text = ordinal.Replace(text, m => long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? words.Ordinal(n) : Digits(m.Groups[1].Value));
        return Number().Replace(text, m => long.TryParse(m.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? words.Cardinal(n) : Digits(m.Value));
    }

    // XTTS wraps its three currency passes in one try: an amount Python's float() cannot read ("1.200.50") raises, which
    // discards that pass and skips the rest, leaving the amounts to the decimal and number passes.
    private string ExpandCurrencies(string text)
    {
        foreach (var (code, pattern) in Currencies)
        {
            var failed = false;
            var expanded = pattern.Replace(text, m =>
            {
                var digits = new string([.. m.Value.Replace(',', '.').Where(c => char.IsAsciiDigit(c) || c == '.')]);
                if (!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
                {
                    failed = true;
                    return m.Value;
                }

                // Beyond a long's cents here (num2words would go on): the amount is left to the number pass.
                if (amount >= 1e15)
                {
                    return m.Value;
                }

                var full = words.Currency(amount, code);
                var cut = amount == Math.Floor(amount) ? full.LastIndexOf(and, StringComparison.Ordinal) : -1;
                return cut < 0 ? full : full[..cut];
            });
            if (failed)
            {
                break;
            }

            text = expanded;
        }

        return text;
    }

    private string Decimal(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value < 1e15 ? words.Decimal(value) : Digits(text);

    private string Digits(string digits) => string.Join(' ', digits.Where(char.IsAsciiDigit).Select(d => words.Cardinal(d - '0')));

    [GeneratedRegex(@"\b\d{1,3}(.\d{3})*(\,\d+)?\b", RegexOptions.CultureInvariant)]
    private static partial Regex DotNumber();

    [GeneratedRegex(@"([0-9]+[.,][0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalNumber();

    [GeneratedRegex(@"[0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex Number();
}
