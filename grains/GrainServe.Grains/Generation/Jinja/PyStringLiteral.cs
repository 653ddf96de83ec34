using System.Globalization;
using System.Text;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// Python's <c>unicode-escape</c> codec, which Jinja decodes string literals with: <c>\n</c>, <c>\t</c>, <c>\'</c>,
/// octal, <c>\x</c>, <c>\u</c> and <c>\U</c> escapes, a backslash before a newline joining the lines, and any
/// other escape kept as written (<c>\d</c> stays two characters).
/// </summary>
internal static class PyStringLiteral
{
    /// <summary>The value of a string literal's <paramref name="body"/> (between its quotes).</summary>
    /// <exception cref="JinjaException">A <c>\x</c>, <c>\u</c> or <c>\U</c> escape is cut short.</exception>
    public static string Decode(string body, int line)
    {
        if (!body.Contains('\\', StringComparison.Ordinal))
        {
            return body;
        }

        var text = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\')
            {
                text.Append(body[i]);
                continue;
            }

            var c = body[++i];
            switch (c)
            {
                case '\n':
                    break;
                case '\\' or '\'' or '"':
                    text.Append(c);
                    break;
                case 'a': text.Append('\a'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'v': text.Append('\v'); break;
                case >= '0' and <= '7':
                    var octal = 0;
                    var digits = 0;
                    for (; digits < 3 && i < body.Length && body[i] is >= '0' and <= '7'; digits++, i++)
                    {
                        octal = (octal * 8) + (body[i] - '0');
                    }

                    i--;
                    text.Append((char)octal);
                    break;
                case 'x' or 'u' or 'U':
                    var width = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                    if (body.Length - i - 1 < width
                        || !uint.TryParse(body.AsSpan(i + 1, width), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                        || code > 0x10FFFF)
                    {
                        throw new JinjaException(JinjaErrorKind.Syntax, $"truncated \\{c} escape in a string", line);
                    }

                    text.Append(code <= 0xFFFF ? ((char)code).ToString() : char.ConvertFromUtf32((int)code));
                    i += width;
                    break;
                default:
                    text.Append('\\').Append(c);
                    break;
            }
        }

        return text.ToString();
    }
}
