using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace GrainServe.Speech.Xtts;

/// <summary>
/// XTTS's <c>expand_numbers_multilingual</c> for English, what its cleaner does to digits before the tokenizer sees them:
/// thousands commas dropped, pounds, dollars and euros read out as <c>num2words</c>' currency forms (<c>$5.50</c> →
/// "five dollars, fifty cents", a whole amount without its cents), decimals digit by digit after "point", ordinals
/// (<c>21st</c> → "twenty-first") and every other run of digits as a cardinal, all in <c>num2words</c>' English words
/// ("one thousand, two hundred and thirty-four"). Pure; the input is lower-cased already.
/// </summary>
/// <remarks>A run of digits too long for a 64-bit integer is read digit by digit, where <c>num2words</c> would go on.</remarks>
internal static partial class XttsEnglishNumbers
{
    private static readonly string[] Ones =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ];

    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    private static readonly string[] Scales = ["", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"];

    private static readonly Dictionary<string, string> OrdinalWords = new(StringComparer.Ordinal)
    {
        ["one"] = "first", ["two"] = "second", ["three"] = "third", ["four"] = "fourth", ["five"] = "fifth", ["six"] = "sixth",
        ["seven"] = "seventh", ["eight"] = "eighth", ["nine"] = "ninth", ["ten"] = "tenth", ["eleven"] = "eleventh", ["twelve"] = "twelfth",
    };

    // num2words' English currency forms: (unit, units) and (cent, cents).
    private static readonly (char Symbol, string One, string Many, string Cent, string Cents)[] Currencies =
        [('£', "pound", "pounds", "penny", "pence"), ('$', "dollar", "dollars", "cent", "cents"), ('€', "euro", "euro", "cent", "cents")];

    // XTTS's _currency_re: the symbol before or after the amount.
    private static readonly Regex[] CurrencyPatterns =
    [
        .. Currencies.Select(c => Regex.Escape(c.Symbol.ToString()))
            .Select(s => new Regex($@"(({s}[0-9\.\,]*[0-9]+)|([0-9\.\,]*[0-9]+{s}))", RegexOptions.CultureInvariant)),
    ];

    /// <summary>The text with its numbers written out as XTTS writes them for English.</summary>
    public static string Expand(string text)
    {
        text = CommaNumber().Replace(text, m => m.Value.Replace(",", "", StringComparison.Ordinal));
        for (var i = 0; i < Currencies.Length; i++)
        {
            var currency = Currencies[i];
            text = CurrencyPatterns[i].Replace(text, m => Currency(m.Value, currency));
        }

        text = DecimalNumber().Replace(text, m => Decimal(m.Value.Replace(',', '.')));
        text = OrdinalNumber().Replace(text, m => long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Ordinal(n) : Digits(m.Groups[1].Value));
        return Number().Replace(text, m => long.TryParse(m.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Cardinal(n) : Digits(m.Value));
    }

    /// <summary><c>num2words(n)</c> in English: "one hundred and one", "one thousand, two hundred and thirty-four".</summary>
    public static string Cardinal(long n)
    {
        if (n < 0)
        {
            return "minus " + Cardinal(-n);
        }

        if (n < 1000)
        {
            return BelowThousand((int)n);
        }

        // Groups of three digits, highest first; num2words joins a last group under 100 with "and", others with ", ".
        var groups = new List<(int Value, int Scale)>();
        for (var scale = 0; n > 0; scale++, n /= 1000)
        {
            if (n % 1000 != 0)
            {
                groups.Insert(0, ((int)(n % 1000), scale));
            }
        }

        var text = new StringBuilder();
        for (var i = 0; i < groups.Count; i++)
        {
            var (value, scale) = groups[i];
            if (i > 0)
            {
                text.Append(i == groups.Count - 1 && scale == 0 && value < 100 ? " and " : ", ");
            }

            text.Append(BelowThousand(value));
            if (scale > 0)
            {
                text.Append(' ').Append(Scales[scale]);
            }
        }

        return text.ToString();
    }

    /// <summary><c>num2words(n, ordinal=True)</c> in English: "first", "twenty-first", "one hundredth".</summary>
    public static string Ordinal(long n)
    {
        var cardinal = Cardinal(n);
        var cut = Math.Max(cardinal.LastIndexOf(' '), cardinal.LastIndexOf('-')) + 1;
        var last = cardinal[cut..];
        var ordinal = OrdinalWords.TryGetValue(last, out var word) ? word : (last.EndsWith('y') ? last[..^1] + "ie" : last) + "th";
        return cardinal[..cut] + ordinal;
    }

    /// <summary><c>num2words(float(text))</c> in English: the whole part, then "point" and each digit of the shortest decimal.</summary>
    public static string Decimal(string text)
    {
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value >= 1e15)
        {
            return Digits(text);
        }

        // Python's str(float): the shortest text that reads back as the value, never in exponent form here.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        if (shortest.Contains('E', StringComparison.Ordinal))
        {
            shortest = value.ToString("0.#################", CultureInfo.InvariantCulture);
        }

        var point = shortest.IndexOf('.');
        if (point < 0)
        {
            return Cardinal((long)value);
        }

        var words = new StringBuilder(Cardinal(long.Parse(shortest[..point], CultureInfo.InvariantCulture))).Append(" point");
        foreach (var digit in shortest[(point + 1)..])
        {
            words.Append(' ').Append(Ones[digit - '0']);
        }

        return words.ToString();
    }

    // num2words' currency form, as XTTS's _expand_currency uses it: "five dollars, fifty cents"; a whole amount drops
    // its cents (", zero cents").
    private static string Currency(string match, (char Symbol, string One, string Many, string Cent, string Cents) currency)
    {
        var digits = new string(match.Replace(',', '.').Where(c => char.IsAsciiDigit(c) || c == '.').ToArray());
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount >= 1e15m)
        {
            return match;
        }

        // Cents rounded half up, as num2words' parse_currency_parts quantizes them.
        var rounded = Math.Round(amount, 2, MidpointRounding.AwayFromZero);
        var whole = (long)Math.Truncate(rounded);
        var cents = (int)((rounded - whole) * 100);
        var text = $"{Cardinal(whole)} {(whole == 1 ? currency.One : currency.Many)}";
        return amount == Math.Truncate(amount) ? text : $"{text}, {Cardinal(cents)} {(cents == 1 ? currency.Cent : currency.Cents)}";
    }

    private static string BelowThousand(int n)
    {
        if (n >= 100)
        {
            var hundreds = $"{Ones[n / 100]} hundred";
            return n % 100 == 0 ? hundreds : $"{hundreds} and {BelowHundred(n % 100)}";
        }

        return BelowHundred(n);
    }

    private static string BelowHundred(int n) => n < 20 ? Ones[n] : n % 10 == 0 ? Tens[n / 10] : $"{Tens[n / 10]}-{Ones[n % 10]}";

    private static string Digits(string digits) => string.Join(' ', digits.Where(char.IsAsciiDigit).Select(d => Ones[d - '0']));

    [GeneratedRegex(@"\b\d{1,3}(,\d{3})*(\.\d+)?\b", RegexOptions.CultureInvariant)]
    private static partial Regex CommaNumber();

    [GeneratedRegex(@"([0-9]+[.,][0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalNumber();

    [GeneratedRegex(@"([0-9]+)(st|nd|rd|th)", RegexOptions.CultureInvariant)]
    private static partial Regex OrdinalNumber();

    [GeneratedRegex(@"[0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex Number();
}
