namespace GrainServe.Generation.Jinja;

/// <summary>
/// Python's operators on template values: <c>+</c> adds numbers and concatenates strings, lists and tuples (and
/// refuses a string plus a number, as Python does); <c>/</c> always gives a float; <c>//</c> and <c>%</c> round
/// toward negative infinity; <c>~</c> joins the <c>str()</c> of both sides. Undefined fails every operator but
/// <c>~</c>, <c>==</c>, <c>!=</c> and <c>in</c>, as Jinja's default <c>Undefined</c> does.
/// </summary>
internal static class JinjaOperators
{
    public static object? Binary(string op, object? a, object? b)
    {
        if (op == "~")
        {
            return JinjaValues.ToStr(a) + JinjaValues.ToStr(b);
        }

        if (a is JinjaUndefined ua)
        {
            throw ua.Error();
        }

        if (b is JinjaUndefined ub)
        {
            throw ub.Error();
        }

        return op switch
        {
            "+" => Add(a, b),
            "-" => Numeric(op, a, b, (x, y) => checked(x - y), (x, y) => x - y),
            "*" => Multiply(a, b),
            "/" => JinjaValues.IsNumber(a) && JinjaValues.IsNumber(b)
                ? JinjaValues.ToDouble(b) == 0 ? throw JinjaException.Runtime("division by zero") : JinjaValues.ToDouble(a) / JinjaValues.ToDouble(b)
                : throw Unsupported(op, a, b),
            "//" => Numeric(op, a, b, (x, y) => y == 0 ? throw JinjaException.Runtime("integer division or modulo by zero") : PyNumber.FloorDivide(x, y),
                (x, y) => y == 0 ? throw JinjaException.Runtime("float floor division by zero") : Math.Floor(x / y)),
            "%" => a is string
                ? throw JinjaException.Runtime("printf-style string formatting (str % value) is not supported")
                : Numeric(op, a, b, (x, y) => y == 0 ? throw JinjaException.Runtime("integer modulo by zero") : PyNumber.Modulo(x, y),
                    (x, y) => y == 0 ? throw JinjaException.Runtime("float modulo") : PyNumber.Modulo(x, y)),
            "**" => JinjaValues.IsNumber(a) && b is long or bool && JinjaValues.ToLong(b) < 0 ? Numeric(op, JinjaValues.ToDouble(a), b, Power, Math.Pow) : Numeric(op, a, b, Power, Math.Pow),
            _ => throw new InvalidOperationException($"unknown operator {op}"),
        };
    }

    /// <summary>Unary <c>-</c> (<paramref name="negate"/>) or <c>+</c>.</summary>
    public static object? Unary(object? value, bool negate) => value switch
    {
        JinjaUndefined undefined => throw undefined.Error(),
        long l => negate ? checked(-l) : l,
        bool b => negate ? -(b ? 1L : 0L) : (b ? 1L : 0L),

        // object, or the switch's type would be double and every int would turn float.
        double d => (object)(negate ? -d : d),
        _ => throw JinjaException.Runtime($"bad operand type for unary {(negate ? '-' : '+')}: {PyStr.Repr(JinjaValues.TypeName(value))}"),
    };

    /// <summary>A comparison of a chain: <c>== != &lt; &lt;= &gt; &gt;=</c>, <c>in</c> and <c>notin</c>.</summary>
    public static bool Compare(string op, object? a, object? b) => op switch
    {
        "==" => JinjaValues.Equal(a, b),
        "!=" => !JinjaValues.Equal(a, b),
        "<" => JinjaValues.Compare(a, b, op) < 0,
        "<=" => JinjaValues.Compare(a, b, op) <= 0,
        ">" => JinjaValues.Compare(a, b, op) > 0,
        ">=" => JinjaValues.Compare(a, b, op) >= 0,
        "in" => Contains(b, a),
        "notin" => !Contains(b, a),
        _ => throw new InvalidOperationException($"unknown comparison {op}"),
    };

    /// <summary>Python's <c>item in container</c>: a substring, an element, a dict key; nothing is in undefined.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        JinjaUndefined => false,
        string s => item is string part
            ? s.Contains(part, StringComparison.Ordinal)
            : throw JinjaException.Runtime($"'in <string>' requires string as left operand, not {JinjaValues.TypeName(item)}"),
        List<object?> list => list.Any(v => JinjaValues.Equal(v, item)),
        object?[] tuple => tuple.Any(v => JinjaValues.Equal(v, item)),
        JinjaDict dict => item is not null && dict.ContainsKey(JinjaDict.RequireKey(item)),
        JinjaGenerator generator => generator.Consume().Any(v => JinjaValues.Equal(v, item)),
        _ => throw JinjaException.Runtime($"argument of type {PyStr.Repr(JinjaValues.TypeName(container))} is not iterable"),
    };

    private static object? Add(object? a, object? b)
    {
        if (JinjaValues.IsNumber(a) && JinjaValues.IsNumber(b))
        {
            return Numeric("+", a, b, (x, y) => checked(x + y), (x, y) => x + y);
        }

        return (a, b) switch
        {
            (string x, string y) => x + y,
            (List<object?> x, List<object?> y) => new List<object?>([.. x, .. y]),
            (object?[] x, object?[] y) => (object?[])[.. x, .. y],
            (string, _) => throw JinjaException.Runtime($"can only concatenate str (not \"{JinjaValues.TypeName(b)}\") to str"),
            (List<object?>, _) => throw JinjaException.Runtime($"can only concatenate list (not \"{JinjaValues.TypeName(b)}\") to list"),
            (object?[], _) => throw JinjaException.Runtime($"can only concatenate tuple (not \"{JinjaValues.TypeName(b)}\") to tuple"),
            _ => throw Unsupported("+", a, b),
        };
    }

    private static object? Multiply(object? a, object? b)
    {
        if (JinjaValues.IsNumber(a) && JinjaValues.IsNumber(b))
        {
            return Numeric("*", a, b, (x, y) => checked(x * y), (x, y) => x * y);
        }

        var (sequence, times) = a is long or bool ? (b, a) : (a, b);
        if (times is not (long or bool))
        {
            throw Unsupported("*", a, b);
        }

        var count = (int)Math.Clamp(JinjaValues.ToLong(times), 0, 1_000_000);
        return sequence switch
        {
            string s => string.Concat(Enumerable.Repeat(s, count)),
            List<object?> list => new List<object?>(Enumerable.Repeat(list, count).SelectMany(l => l)),
            object?[] tuple => Enumerable.Repeat(tuple, count).SelectMany(t => t).ToArray(),
            _ => throw Unsupported("*", a, b),
        };
    }

    // Ints stay ints (an overflow falls back to float, where Python would grow the int); a float on either side gives a float.
    private static object Numeric(string op, object? a, object? b, Func<long, long, long> integer, Func<double, double, double> real)
    {
        if (!JinjaValues.IsNumber(a) || !JinjaValues.IsNumber(b))
        {
            throw Unsupported(op, a, b);
        }

        if (a is double || b is double)
        {
            return real(JinjaValues.ToDouble(a), JinjaValues.ToDouble(b));
        }

        try
        {
            return integer(JinjaValues.ToLong(a), JinjaValues.ToLong(b));
        }
        catch (OverflowException)
        {
            return real(JinjaValues.ToDouble(a), JinjaValues.ToDouble(b));
        }
    }

    // A non-negative exponent (a negative one is computed as a float before this).
    private static long Power(long x, long y)
    {
        if (x is 0 or 1 or -1)
        {
            return x == -1 ? (y % 2 == 0 ? 1 : -1) : y == 0 ? 1 : x;
        }

        var result = 1L;
        for (var i = 0L; i < y; i++)
        {
            result = checked(result * x);
        }

        return result;
    }

    private static JinjaException Unsupported(string op, object? a, object? b) =>
        JinjaException.Runtime($"unsupported operand type(s) for {op}: {PyStr.Repr(JinjaValues.TypeName(a))} and {PyStr.Repr(JinjaValues.TypeName(b))}");
}
