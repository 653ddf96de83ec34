using System.Globalization;
using System.Text;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// Python's <c>str</c> operations as templates use them. Python counts code points, so indexing, slicing and length
/// treat a surrogate pair as one character; whitespace is Python's <c>str.isspace()</c>.
/// </summary>
internal static class PyStr
{
    /// <summary>Python's whitespace: .NET's, plus the four separators U+001C–U+001F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static string Strip(string s, string? chars = null) => RStrip(LStrip(s, chars), chars);

    public static string LStrip(string s, string? chars = null)
    {
        var start = 0;
        while (start < s.Length && Strips(s[start], chars))
        {
            start++;
        }

        return s[start..];
    }

    public static string RStrip(string s, string? chars = null)
    {
        var end = s.Length;
        while (end > 0 && Strips(s[end - 1], chars))
        {
            end--;
        }

        return s[..end];
    }

    /// <summary>Python's <c>repr()</c> of a string: single quotes unless it holds one and no double quote.</summary>
    public static string Repr(string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var text = new StringBuilder(s.Length + 2).Append(quote);
        for (var i = 0; i < s.Length; i += char.IsSurrogatePair(s, i) ? 2 : 1)
        {
            var c = char.IsSurrogatePair(s, i) ? char.ConvertToUtf32(s[i], s[i + 1]) : s[i];
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '\t' => text.Append(@"\t"),
                '\n' => text.Append(@"\n"),
                '\r' => text.Append(@"\r"),
                _ when c == quote => text.Append('\\').Append(quote),
                < 0x20 or 0x7F => text.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}"),
                < 0x7F => text.Append((char)c),
                _ when category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                    or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator
                    => text.Append(c <= 0xFF ? "\\x" + c.ToString("x2", CultureInfo.InvariantCulture)
                        : c <= 0xFFFF ? "\\u" + c.ToString("x4", CultureInfo.InvariantCulture)
                        : "\\U" + c.ToString("x8", CultureInfo.InvariantCulture)),
                _ => text.Append(char.ConvertFromUtf32(c)),
            };
        }

        return text.Append(quote).ToString();
    }

    /// <summary>The characters (code points) of <paramref name="s"/>, each a string.</summary>
    public static List<object?> Characters(string s)
    {
        var characters = new List<object?>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var pair = char.IsSurrogatePair(s, i);
            characters.Add(s.Substring(i, pair ? 2 : 1));
            i += pair ? 1 : 0;
        }

        return characters;
    }

    /// <summary>Python's <c>len()</c> of a string: code points.</summary>
    public static int Length(string s)
    {
        var length = s.Length;
        for (var i = 0; i + 1 < s.Length; i++)
        {
            length -= char.IsSurrogatePair(s, i) ? 1 : 0;
        }

        return length;
    }

    /// <summary>Python's <c>str.split(sep, maxsplit)</c>: without a separator, runs of whitespace split and ends are dropped.</summary>
    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        if (separator is not null)
        {
            return separator.Length == 0
                ? throw JinjaException.Runtime("empty separator")
                : [.. (maxSplit < 0 ? s.Split(separator) : s.Split(separator, (int)Math.Min(maxSplit + 1, int.MaxValue)))];
        }

        var parts = new List<object?>();
        var i = 0;
        while (true)
        {
            while (i < s.Length && IsSpace(s[i]))
            {
                i++;
            }

            if (i >= s.Length)
            {
                return parts;
            }

            if (maxSplit >= 0 && parts.Count == maxSplit)
            {
                parts.Add(s[i..]);
                return parts;
            }

            var start = i;
            while (i < s.Length && !IsSpace(s[i]))
            {
                i++;
            }

            parts.Add(s[start..i]);
        }
    }

    /// <summary>Python's <c>str.rsplit(sep, maxsplit)</c>: as <see cref="Split"/>, counting splits from the right.</summary>
    public static List<object?> RSplit(string s, string? separator, long maxSplit)
    {
        if (maxSplit < 0)
        {
            return Split(s, separator, maxSplit);
        }

        // Splitting the reversed text from the left is splitting the text from the right.
        var reversed = Reverse(s);
        var parts = Split(reversed, separator is null ? null : Reverse(separator), maxSplit);
        parts.Reverse();
        return [.. parts.Select(p => (object?)Reverse((string)p!))];
    }

    /// <summary>Python's <c>str.splitlines()</c>: every line boundary Python knows, no empty item after a final break.</summary>
    public static List<object?> SplitLines(string s, bool keepEnds = false)
    {
        var lines = new List<object?>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                var end = s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? i + 2 : i + 1;
                lines.Add(s[start..(keepEnds ? end : i)]);
                start = end;
                i = end - 1;
            }
        }

        if (start < s.Length)
        {
            lines.Add(s[start..]);
        }

        return lines;
    }

    /// <summary>Python's <c>str.title()</c>: a letter after a cased letter is lowered, any other is raised.</summary>
    public static string Title(string s)
    {
        var text = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            text.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;
        }

        return text.ToString();
    }

    /// <summary>Python's <c>str.capitalize()</c>: the first character raised, the rest lowered.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    /// <summary>Python's <c>str.replace(old, new, count)</c>; a negative count replaces all, an empty old inserts between characters.</summary>
    public static string Replace(string s, string old, string replacement, long count)
    {
        var text = new StringBuilder();
        var replaced = 0L;
        var i = 0;
        while (count < 0 || replaced < count)
        {
            var at = old.Length == 0 ? (i <= s.Length ? i : -1) : s.IndexOf(old, i, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            text.Append(s, i, at - i).Append(replacement);
            replaced++;
            if (old.Length == 0)
            {
                if (at < s.Length)
                {
                    text.Append(s[at]);
                }

                i = at + 1;
            }
            else
            {
                i = at + old.Length;
            }
        }

        return i < s.Length ? text.Append(s, i, s.Length - i).ToString() : text.ToString();
    }

    /// <summary>Python's <c>str.islower()</c> (<paramref name="lower"/>) or <c>isupper()</c>: some cased letter, all of one case.</summary>
    public static bool IsCase(string s, bool lower)
    {
        var cased = false;
        foreach (var c in s)
        {
            if (char.IsUpper(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter)
            {
                if (lower)
                {
                    return false;
                }

                cased = true;
            }
            else if (char.IsLower(c))
            {
                if (!lower)
                {
                    return false;
                }

                cased = true;
            }
        }

        return cased;
    }

    public static string Reverse(string s)
    {
        var characters = Characters(s);
        characters.Reverse();
        return string.Concat(characters);
    }

    private static bool Strips(char c, string? chars) => chars is null ? IsSpace(c) : chars.Contains(c, StringComparison.Ordinal);
}
