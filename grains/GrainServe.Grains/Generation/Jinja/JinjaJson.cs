using System.Globalization;
using System.Text;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// Python's <c>json.dumps</c>, byte for byte, as transformers' <c>tojson</c> filter calls it: separators
/// <c>", "</c> and <c>": "</c> (<c>","</c> and <c>": "</c> with an indent), floats as Python prints them, and only
/// quotes, backslashes and control characters escaped (non-ASCII too with <c>ensure_ascii</c>).
/// </summary>
internal static class JinjaJson
{
    public static string Dumps(object? value, bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys)
    {
        var text = new StringBuilder();
        Write(text, value, new Options(ensureAscii, indent, itemSeparator, keySeparator, sortKeys), 0);
        return text.ToString();
    }

    private static void Write(StringBuilder text, object? value, Options options, int depth)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case long l:
                text.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                text.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyNumber.FloatRepr(d));
                break;
            case string s:
                WriteString(text, s, options.EnsureAscii);
                break;
            case IReadOnlyList<object?> list:
                WriteContainer(text, '[', ']', list.Count, options, depth, (i, d) => Write(text, list[i], options, d));
                break;
            case JinjaDict dict:
                var entries = dict.Select(p => (Key: Key(p.Key), p.Value)).ToList();
                if (options.SortKeys)
                {
                    entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                }

                WriteContainer(text, '{', '}', entries.Count, options, depth, (i, d) =>
                {
                    WriteString(text, entries[i].Key, options.EnsureAscii);
                    text.Append(options.KeySeparator);
                    Write(text, entries[i].Value, options, d);
                });
                break;
            default:
                throw JinjaException.Runtime($"Object of type {JinjaValues.TypeName(value)} is not JSON serializable");
        }
    }

    private static void WriteContainer(StringBuilder text, char open, char close, int count, Options options, int depth, Action<int, int> item)
    {
        text.Append(open);
        if (count == 0)
        {
            text.Append(close);
            return;
        }

        for (var i = 0; i < count; i++)
        {
            text.Append(i > 0 ? options.ItemSeparator : "");
            if (options.Indent is { } indent)
            {
                text.Append('\n').Insert(text.Length, indent, depth + 1);
            }

            item(i, depth + 1);
        }

        if (options.Indent is { } closing)
        {
            text.Append('\n').Insert(text.Length, closing, depth);
        }

        text.Append(close);
    }

    // Python converts the keys it allows to strings; any other key is a TypeError.
    private static string Key(object key) => key switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PyNumber.FloatRepr(d),
        _ => throw JinjaException.Runtime($"keys must be str, int, float, bool or None, not {JinjaValues.TypeName(key)}"),
    };

    private static void WriteString(StringBuilder text, string s, bool ensureAscii)
    {
        text.Append('"');
        foreach (var c in s)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append(@"\\"),
                '\n' => text.Append(@"\n"),
                '\r' => text.Append(@"\r"),
                '\t' => text.Append(@"\t"),
                '\b' => text.Append(@"\b"),
                '\f' => text.Append(@"\f"),
                < ' ' => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),

                // UTF-16 code units are what Python writes for a character beyond the BMP too (a surrogate pair).
                > '~' when ensureAscii => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }

        text.Append('"');
    }

    private sealed record Options(bool EnsureAscii, string? Indent, string ItemSeparator, string KeySeparator, bool SortKeys);
}
