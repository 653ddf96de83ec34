using System.Globalization;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// Python's semantics for the values a template handles: <c>None</c> (null), <c>bool</c>, <c>int</c> (long),
/// <c>float</c> (double), <c>str</c>, <c>list</c> (<see cref="List{T}"/>), <c>tuple</c> (object array),
/// <c>dict</c> (<see cref="JinjaDict"/>), and Jinja's own objects. Truth, <c>str()</c>, <c>repr()</c>, equality,
/// ordering, iteration and length are Python's, since that is what the real templates are rendered with.
/// </summary>
internal static class JinjaValues
{
    /// <summary>The Python type name errors show (<c>str</c>, <c>NoneType</c>, <c>dict</c>).</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        object?[] => "tuple",
        JinjaDict => "dict",
        JinjaUndefined => "Undefined",
        JinjaNamespace => "Namespace",
        JinjaLoop => "LoopContext",
        JinjaGenerator => "generator",
        JinjaCallable => "function",
        _ => value.GetType().Name,
    };

    public static bool IsTrue(object? value) => value switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        object?[] tuple => tuple.Length > 0,
        JinjaDict dict => dict.Count > 0,
        _ => true,
    };

    /// <summary>Python's <c>str()</c>, which <c>{{ }}</c> prints; undefined prints as nothing.</summary>
    public static string ToStr(object? value) => value switch
    {
        string s => s,
        JinjaUndefined => "",
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr()</c>: how a value shows inside a printed list or dict.</summary>
    public static string Repr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PyNumber.FloatRepr(d),
        string s => PyStr.Repr(s),
        List<object?> list => $"[{string.Join(", ", list.Select(Repr))}]",
        object?[] tuple => tuple.Length == 1 ? $"({Repr(tuple[0])},)" : $"({string.Join(", ", tuple.Select(Repr))})",
        JinjaDict dict => $"{{{string.Join(", ", dict.Select(p => $"{Repr(p.Key)}: {Repr(p.Value)}"))}}}",
        JinjaUndefined => "Undefined",
        JinjaNamespace ns => $"<Namespace {{{string.Join(", ", ns.Attributes.Select(p => $"{PyStr.Repr(p.Key)}: {Repr(p.Value)}"))}}}>",
        JinjaLoop loop => $"<LoopContext {loop.Index0 + 1}/{loop.Length}>",
        JinjaGenerator generator => $"<generator object {generator.Name}>",
        JinjaCallable callable => $"<function {callable.Name}>",
        _ => value.ToString() ?? "",
    };

    /// <summary>Python's <c>==</c>.</summary>
    public static bool Equal(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a) == ToDouble(b) : ToLong(a) == ToLong(b);
        }

        return (a, b) switch
        {
            (null, null) => true,
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second)),
            (object?[] x, object?[] y) => x.Length == y.Length && x.Zip(y).All(p => Equal(p.First, p.Second)),
            (JinjaDict x, JinjaDict y) => x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && Equal(p.Value, v)),

            // Jinja's Undefined.__eq__ is "the same type": any two undefined values are equal.
            (JinjaUndefined, JinjaUndefined) => true,
            _ => ReferenceEquals(a, b),
        };
    }

    /// <summary>Python's ordering (<c>&lt;</c> and friends): numbers, strings, and lists or tuples element by element.</summary>
    public static int Compare(object? a, object? b, string op)
    {
        if (a is JinjaUndefined ua)
        {
            throw ua.Error();
        }

        if (b is JinjaUndefined ub)
        {
            throw ub.Error();
        }

        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a).CompareTo(ToDouble(b)) : ToLong(a).CompareTo(ToLong(b));
        }

        switch (a, b)
        {
            case (string x, string y):
                return Math.Sign(string.CompareOrdinal(x, y));
            case (List<object?> x, List<object?> y):
                return CompareSequences(x, y, op);
            case (object?[] x, object?[] y):
                return CompareSequences(x, y, op);
            default:
                throw JinjaException.Runtime($"'{op}' not supported between instances of {PyStr.Repr(TypeName(a))} and {PyStr.Repr(TypeName(b))}");
        }
    }

    /// <summary>Python's <c>iter()</c>: a string's characters, a dict's keys; undefined is empty.</summary>
    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        JinjaUndefined => [],
        List<object?> list => list,
        object?[] tuple => tuple,
        JinjaDict dict => [.. dict.Keys],
        string s => PyStr.Characters(s),
        JinjaGenerator generator => generator.Consume(),
        _ => throw JinjaException.Runtime($"{PyStr.Repr(TypeName(value))} object is not iterable"),
    };

    /// <summary>Python's <c>len()</c>; undefined has length 0.</summary>
    public static int Length(object? value) => value switch
    {
        JinjaUndefined => 0,
        string s => PyStr.Length(s),
        List<object?> list => list.Count,
        object?[] tuple => tuple.Length,
        JinjaDict dict => dict.Count,
        _ => throw JinjaException.Runtime($"object of type {PyStr.Repr(TypeName(value))} has no len()"),
    };

    /// <summary>True for Python's numbers: int, float and bool (a subtype of int).</summary>
    public static bool IsNumber(object? value) => value is long or double or bool;

    public static double ToDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new InvalidOperationException("not a number"),
    };

    public static long ToLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new InvalidOperationException("not an integer"),
    };

    private static int CompareSequences(IReadOnlyList<object?> x, IReadOnlyList<object?> y, string op)
    {
        for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
        {
            if (!Equal(x[i], y[i]))
            {
                return Compare(x[i], y[i], op);
            }
        }

        return x.Count.CompareTo(y.Count);
    }
}
