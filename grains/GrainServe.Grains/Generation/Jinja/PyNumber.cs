using System.Globalization;

namespace GrainServe.Generation.Jinja;

/// <summary>Python's number formatting and the integer operators whose rounding differs from C#'s.</summary>
internal static class PyNumber
{
    /// <summary>
    /// Python's <c>repr()</c> of a float: the shortest digits that round-trip (as .NET's "R"), positional from 1e-4 up
    /// to 1e16 with at least one decimal (<c>2.0</c>), scientific beyond (<c>1e-05</c>, <c>1e+16</c>).
    /// </summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        var text = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = exponentAt < 0 ? 0 : int.Parse(text.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var pointAt = (point < 0 ? mantissa.Length : point) + exponent;
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        pointAt -= leading;

        // The decimal exponent of the first digit: d.ddd × 10^scientific.
        var scientific = pointAt - 1;
        var sign = value < 0 ? "-" : "";
        if (scientific is >= -4 and < 16)
        {
            return sign + (pointAt <= 0
                ? "0." + new string('0', -pointAt) + digits
                : pointAt >= digits.Length
                    ? digits + new string('0', pointAt - digits.Length) + ".0"
                    : digits[..pointAt] + "." + digits[pointAt..]);
        }

        var fraction = digits.Length > 1 ? "." + digits[1..] : "";
        return $"{sign}{digits[0]}{fraction}e{(scientific < 0 ? "-" : "+")}{Math.Abs(scientific).ToString("00", CultureInfo.InvariantCulture)}";
    }

    /// <summary>Python's <c>//</c> on ints: rounds toward negative infinity.</summary>
    public static long FloorDivide(long a, long b)
    {
        var quotient = a / b;
        return (a % b != 0) && ((a < 0) != (b < 0)) ? quotient - 1 : quotient;
    }

    /// <summary>Python's <c>%</c> on ints: the result has the divisor's sign.</summary>
    public static long Modulo(long a, long b)
    {
        var remainder = a % b;
        return remainder != 0 && ((remainder < 0) != (b < 0)) ? remainder + b : remainder;
    }

    /// <summary>Python's <c>%</c> on floats.</summary>
    public static double Modulo(double a, double b)
    {
        var remainder = a % b;
        return remainder != 0 && ((remainder < 0) != (b < 0)) ? remainder + b : remainder;
    }
}
