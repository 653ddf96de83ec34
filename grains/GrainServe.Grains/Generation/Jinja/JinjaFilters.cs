using System.Globalization;
using System.Text;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// The filters chat templates use, with Jinja's definitions (filters.py), and <c>tojson</c> as transformers overrides
/// it (Python's <c>json.dumps</c>, non-ASCII kept, options <c>indent</c>, <c>separators</c>, <c>sort_keys</c>).
/// </summary>
internal static class JinjaFilters
{
    private static readonly HashSet<string> Supported =
    [
        "abs", "attr", "capitalize", "count", "d", "default", "first", "float", "indent", "int", "items", "join", "last", "length", "list",
        "lower", "map", "reject", "rejectattr", "replace", "reverse", "safe", "select", "selectattr", "string", "title", "tojson", "trim", "upper",
    ];

    // Jinja's other built-in filters: a template naming one still loads, and fails only if the filter runs.
    private static readonly HashSet<string> OtherJinjaFilters =
    [
        "batch", "center", "dictsort", "e", "escape", "filesizeformat", "forceescape", "format", "groupby", "max", "min", "pprint", "random",
        "round", "slice", "sort", "striptags", "sum", "truncate", "unique", "urlencode", "urlize", "wordcount", "wordwrap", "xmlattr",
    ];

    public static bool IsSupported(string name) => Supported.Contains(name);

    /// <summary>True for any of Jinja's filters; a name that is none of them fails the template at parse time, as in Jinja.</summary>
    public static bool IsKnown(string name) => Supported.Contains(name) || OtherJinjaFilters.Contains(name);

    public static object? Apply(string name, object? value, JinjaArguments args) => name switch
    {
        "abs" => value switch
        {
            long l => Math.Abs(l),
            bool b => b ? 1L : 0L,
            double d => (object)Math.Abs(d),
            _ => throw JinjaException.Runtime($"bad operand type for abs(): {PyStr.Repr(JinjaValues.TypeName(value))}"),
        },
        "attr" => Attribute(value, JinjaValues.ToStr(args.Get(0, "name"))),
        "capitalize" => PyStr.Capitalize(JinjaValues.ToStr(value)),
        "count" or "length" => (long)JinjaValues.Length(value),
        "d" or "default" => value is JinjaUndefined || (JinjaValues.IsTrue(args.Get(1, "boolean", false)) && !JinjaValues.IsTrue(value))
            ? args.Get(0, "default_value", "")
            : value,
        "first" => JinjaValues.Iterate(value) is { Count: > 0 } items ? items[0] : JinjaUndefined.Hint("No first item, sequence was empty."),
        "float" => ToFloat(value, args.Get(0, "default", 0.0)),
        "indent" => Indent(JinjaValues.ToStr(value), args),
        "int" => ToInt(value, args.Get(0, "default", 0L)),
        "items" => value switch
        {
            JinjaUndefined => new JinjaGenerator([], "do_items"),
            JinjaDict dict => new JinjaGenerator([.. dict.Select(p => (object?)new[] { p.Key, p.Value })], "do_items"),
            _ => throw JinjaException.Runtime("Can only get item pairs from a mapping."),
        },
        "join" => string.Join(JinjaValues.ToStr(args.Get(0, "d", "")), Each(value, args.Get(1, "attribute")).Select(JinjaValues.ToStr)),
        "last" => value is JinjaGenerator
            ? throw JinjaException.Runtime("'generator' object is not reversible")
            : JinjaValues.Iterate(value) is { Count: > 0 } all ? all[^1] : JinjaUndefined.Hint("No last item, sequence was empty."),
        "list" => new List<object?>(JinjaValues.Iterate(value)),
        "lower" => JinjaValues.ToStr(value).ToLowerInvariant(),
        "map" => Map(value, args),
        "reject" or "select" => Select(value, args, keep: name == "select", byAttribute: false),
        "rejectattr" or "selectattr" => Select(value, args, keep: name == "selectattr", byAttribute: true),
        "replace" => PyStr.Replace(JinjaValues.ToStr(value), JinjaValues.ToStr(args.Get(0, "old")), JinjaValues.ToStr(args.Get(1, "new")),
            args.Get(2, "count") is long or bool ? JinjaValues.ToLong(args.Get(2, "count")) : -1),
        "reverse" => value switch
        {
            string s => PyStr.Reverse(s),
            JinjaGenerator generator => generator.Consume().Reverse().ToList(),
            List<object?> or object?[] or JinjaDict or JinjaUndefined => new JinjaGenerator([.. JinjaValues.Iterate(value).Reverse()], "reversed"),
            _ => throw JinjaException.Runtime("argument must be iterable"),
        },
        "safe" => value,
        "string" => JinjaValues.ToStr(value),
        "title" => Title(JinjaValues.ToStr(value)),
        "tojson" => ToJson(value, args),
        "trim" => PyStr.Strip(JinjaValues.ToStr(value), args.Get(0, "chars") as string),
        "upper" => JinjaValues.ToStr(value).ToUpperInvariant(),
        _ => throw JinjaException.Runtime(IsKnown(name)
            ? $"the filter {PyStr.Repr(name)} is not supported by this server's Jinja interpreter"
            : $"No filter named {PyStr.Repr(name)} found."),
    };

    // Jinja's do_attr: only a real attribute (a method, a namespace's or loop's), never a dict's item.
    private static object? Attribute(object? value, string name) =>
        value is JinjaDict or string or List<object?> or object?[] && !JinjaMethods.Has(value, name)
            ? JinjaUndefined.Member(value, name)
            : JinjaAccess.GetAttribute(value, name);

    private static IEnumerable<object?> Each(object? value, object? attribute)
    {
        var items = JinjaValues.Iterate(value);
        return attribute is null ? items : items.Select(AttributeGetter(attribute, null));
    }

    // Jinja's make_attrgetter: "a.b.0" reads item a, then b, then 0 (a number part is an index).
    private static Func<object?, object?> AttributeGetter(object? attribute, object? fallback)
    {
        var parts = attribute is string path
            ? path.Split('.').Select(p => p.Length > 0 && p.All(char.IsAsciiDigit) ? (object?)long.Parse(p, CultureInfo.InvariantCulture) : p).ToArray()
            : (object?[])[attribute];
        return item =>
        {
            foreach (var part in parts)
            {
                item = JinjaAccess.GetItem(item, part);
                if (fallback is not null && item is JinjaUndefined)
                {
                    item = fallback;
                }
            }

            return item;
        };
    }

    private static JinjaGenerator Map(object? value, JinjaArguments args)
    {
        var items = JinjaValues.IsTrue(value) || value is JinjaGenerator ? JinjaValues.Iterate(value) : [];
        if (args.Positional.Count == 0 && args.Named.TryGetValue("attribute", out var attribute))
        {
            var getter = AttributeGetter(attribute, args.Named.GetValueOrDefault("default"));
            return new JinjaGenerator([.. items.Select(getter)], "do_map");
        }

        var filter = args.Positional.Count > 0 ? JinjaValues.ToStr(args.Positional[0]) : throw JinjaException.Runtime("map requires a filter argument");
        var rest = args.Skip(1);
        return new JinjaGenerator([.. items.Select(item => Apply(filter, item, rest))], "do_map");
    }

    private static JinjaGenerator Select(object? value, JinjaArguments args, bool keep, bool byAttribute)
    {
        var items = JinjaValues.IsTrue(value) || value is JinjaGenerator ? JinjaValues.Iterate(value) : [];
        var skip = 0;
        var transform = (Func<object?, object?>)(item => item);
        if (byAttribute)
        {
            transform = args.Positional.Count > 0 ? AttributeGetter(args.Positional[0], null) : throw JinjaException.Runtime("Missing parameter for attribute name");
            skip = 1;
        }

        Func<object?, bool> test = args.Positional.Count > skip
            ? item => JinjaTestFunctions.Apply(JinjaValues.ToStr(args.Positional[skip]), item, args.Skip(skip + 1))
            : JinjaValues.IsTrue;
        return new JinjaGenerator([.. items.Where(item => test(transform(item)) == keep)], "select_or_reject");
    }

    private static string Indent(string text, JinjaArguments args)
    {
        var width = args.Get(0, "width", 4L);
        var indention = width as string ?? new string(' ', (int)Math.Clamp(JinjaValues.ToLong(width is long or bool ? width : 4L), 0, 1000));
        var lines = PyStr.SplitLines(text + "\n").Cast<string>().ToList();
        string indented;
        if (JinjaValues.IsTrue(args.Get(2, "blank", false)))
        {
            indented = string.Join("\n" + indention, lines);
        }
        else
        {
            indented = lines[0] + string.Concat(lines.Skip(1).Select(line => "\n" + (line.Length > 0 ? indention + line : line)));
        }

        return JinjaValues.IsTrue(args.Get(1, "first", false)) ? indention + indented : indented;
    }

    // Jinja's do_title: each run after a space, dash or opening bracket starts upper case, the rest is lowered.
    private static string Title(string s)
    {
        var text = new StringBuilder(s.Length);
        var wordStart = true;
        foreach (var c in s)
        {
            var separator = c is '-' or '(' or '{' or '[' or '<' || PyStr.IsSpace(c);
            text.Append(separator ? c : wordStart ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            wordStart = separator;
        }

        return text.ToString();
    }

    private static string ToJson(object? value, JinjaArguments args)
    {
        // transformers: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
        var indent = args.Get(1, "indent") switch
        {
            null => null,
            string s => s,
            (long or bool) and var n => new string(' ', (int)Math.Clamp(JinjaValues.ToLong(n), 0, 1000)),
            var other => throw JinjaException.Runtime($"indent must be an int or a string, not {JinjaValues.TypeName(other)}"),
        };
        var separators = args.Get(2, "separators") is IReadOnlyList<object?> { Count: 2 } pair && pair[0] is string item && pair[1] is string key
            ? (item, key)
            : indent is null ? (", ", ": ") : (",", ": ");
        return JinjaJson.Dumps(value, JinjaValues.IsTrue(args.Get(0, "ensure_ascii", false)), indent, separators.Item1, separators.Item2, JinjaValues.IsTrue(args.Get(3, "sort_keys", false)));
    }

    private static object? ToInt(object? value, object? fallback)
    {
        switch (value)
        {
            case JinjaUndefined undefined:
                throw undefined.Error();
            case long or bool:
                return JinjaValues.ToLong(value);
            case double d:
                return double.IsFinite(d) ? (long)Math.Truncate(d) : fallback;
            case string s:
                var text = PyStr.Strip(s).Replace("_", "", StringComparison.Ordinal);
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    return whole;
                }

                // Jinja: "this quirk is necessary so that "42.23"|int gives 42".
                return ToFloat(s, null) is double real && double.IsFinite(real) ? (long)Math.Truncate(real) : fallback;
            default:
                return fallback;
        }
    }

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        JinjaUndefined undefined => throw undefined.Error(),
        double or long or bool => JinjaValues.ToDouble(value),
        string s when PyStr.Strip(s).Replace("_", "", StringComparison.Ordinal) is var text
            && double.TryParse(text.Equals("inf", StringComparison.OrdinalIgnoreCase) ? "Infinity" : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => fallback,
    };
}
