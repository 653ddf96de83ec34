using System.Text.RegularExpressions;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// Jinja2's lexer with the settings transformers compiles chat templates with: <c>trim_blocks</c> (the first newline
/// after a block or comment tag is dropped), <c>lstrip_blocks</c> (spaces and tabs from the start of a line up to a
/// block or comment tag are dropped, unless it opens with <c>+</c>), <c>keep_trailing_newline</c> off (one newline at
/// the end of the source is dropped), newlines normalized to <c>\n</c>, and the <c>-</c> modifiers that strip all
/// whitespace before (<c>{%-</c>, <c>{{-</c>, <c>{#-</c>) or after (<c>-%}</c>, <c>-}}</c>, <c>-#}</c>) a tag. Comments
/// are dropped here; <c>{% raw %}</c> and line statements are not supported.
/// </summary>
internal static class JinjaLexer
{
    // Jinja's own patterns (lexer.py): a float needs a fraction or an exponent and never follows a dot, so the 0 of
    // messages.0 is an integer.
    private static readonly Regex FloatPattern = new(@"\G(?<!\.)([0-9]+_)*[0-9]+((\.([0-9]+_)*[0-9]+)?[eE][+\-]?([0-9]+_)*[0-9]+|\.([0-9]+_)*[0-9]+)", RegexOptions.CultureInvariant);
    private static readonly Regex IntegerPattern = new(@"\G([1-9](_?[0-9])*|0(_?0)*)", RegexOptions.CultureInvariant);
    private static readonly Regex NamePattern = new(@"\G[a-zA-Z_][a-zA-Z0-9_]*", RegexOptions.CultureInvariant);
    private static readonly Regex StringPattern = new(@"\G(?:'([^'\\]*(?:\\.[^'\\]*)*)'|""([^""\\]*(?:\\.[^""\\]*)*)"")", RegexOptions.Singleline | RegexOptions.CultureInvariant);

    // Longest first, so // is not read as two divisions.
    private static readonly string[] Operators = ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "=", ".", ":", "|", ",", ";", "<", ">"];

    /// <summary>The tokens of <paramref name="source"/>, ending with <see cref="JinjaTokenKind.End"/>.</summary>
    /// <exception cref="JinjaException">A tag or string is not closed, or a character is not part of the syntax.</exception>
    public static List<JinjaToken> Tokenize(string source)
    {
        var text = Normalize(source);
        var tokens = new List<JinjaToken>();
        var pos = 0;
        var line = 1;

        // Whether the previous match ended a line: lstrip_blocks then also strips text that has no newline of its own.
        var lineStarting = true;
        while (pos < text.Length)
        {
            var start = FindTagStart(text, pos);
            if (start < 0)
            {
                AddText(tokens, text[pos..], line);
                break;
            }

            var kind = text[start + 1];
            var modifier = start + 2 < text.Length ? text[start + 2] : '\0';
            var data = text[pos..start];
            if (modifier == '-')
            {
                data = PyStr.RStrip(data);
            }
            else if (modifier != '+' && kind != '{')
            {
                data = LStripBlock(data, lineStarting);
            }

            AddText(tokens, data, line);
            line += Count(text, pos, start);
            pos = start + 2 + (modifier is '-' or '+' ? 1 : 0);
            if (kind == '#')
            {
                pos = SkipComment(text, pos, ref line);
            }
            else
            {
                tokens.Add(new JinjaToken(kind == '%' ? JinjaTokenKind.BlockBegin : JinjaTokenKind.VariableBegin, "", line));
                pos = LexTag(text, pos, kind == '%', tokens, ref line);
            }

            lineStarting = text[pos - 1] == '\n';
        }

        tokens.Add(new JinjaToken(JinjaTokenKind.End, "", line));
        return tokens;
    }

    private static string Normalize(string source)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private static int FindTagStart(string text, int from)
    {
        for (var i = text.IndexOf('{', from); i >= 0 && i + 1 < text.Length; i = text.IndexOf('{', i + 1))
        {
            if (text[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    private static void AddText(List<JinjaToken> tokens, string data, int line)
    {
        if (data.Length > 0)
        {
            tokens.Add(new JinjaToken(JinjaTokenKind.Text, data, line));
        }
    }

    private static string LStripBlock(string data, bool lineStarting)
    {
        var lineStart = data.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !lineStarting)
        {
            return data;
        }

        for (var i = lineStart; i < data.Length; i++)
        {
            if (data[i] is not (' ' or '\t'))
            {
                return data;
            }
        }

        return data[..lineStart];
    }

    private static int SkipComment(string text, int pos, ref int line)
    {
        for (var i = pos; i + 1 < text.Length; i++)
        {
            var modifier = text[i] is '-' or '+' && i + 2 < text.Length && text[i + 1] == '#' && text[i + 2] == '}' ? text[i] : '\0';
            if (modifier != '\0' || (text[i] == '#' && text[i + 1] == '}'))
            {
                line += Count(text, pos, i);
                return AfterTag(text, i + (modifier == '\0' ? 2 : 3), modifier, trimsNewline: true, ref line);
            }
        }

        throw new JinjaException(JinjaErrorKind.Syntax, "Missing end of comment tag", line);
    }

    private static int LexTag(string text, int pos, bool block, List<JinjaToken> tokens, ref int line)
    {
        var open = new Stack<char>();
        while (true)
        {
            // An unclosed tag ends the tokens: the parser says what it still expected, as Jinja's does.
            if (pos >= text.Length)
            {
                return pos;
            }

            // Jinja matches an end tag only outside brackets, so {{ {'a': {'b': 1}} }} is one dict.
            if (open.Count == 0 && EndTag(text, pos, block) is { } end)
            {
                tokens.Add(new JinjaToken(block ? JinjaTokenKind.BlockEnd : JinjaTokenKind.VariableEnd, "", line));
                return AfterTag(text, pos + end.Length, end.Modifier, trimsNewline: block, ref line);
            }

            var c = text[pos];
            if (PyStr.IsSpace(c))
            {
                line += c == '\n' ? 1 : 0;
                pos++;
                continue;
            }

            Match match;
            if ((match = FloatPattern.Match(text, pos)).Success)
            {
                tokens.Add(new JinjaToken(JinjaTokenKind.Float, match.Value.Replace("_", "", StringComparison.Ordinal), line));
            }
            else if ((match = IntegerPattern.Match(text, pos)).Success)
            {
                tokens.Add(new JinjaToken(JinjaTokenKind.Integer, match.Value.Replace("_", "", StringComparison.Ordinal), line));
            }
            else if ((match = NamePattern.Match(text, pos)).Success)
            {
                tokens.Add(new JinjaToken(JinjaTokenKind.Name, match.Value, line));
            }
            else if ((match = StringPattern.Match(text, pos)).Success)
            {
                tokens.Add(new JinjaToken(JinjaTokenKind.String, PyStringLiteral.Decode(match.Value[1..^1], line), line));
                line += Count(text, pos, pos + match.Length);
            }
            else if (Operators.FirstOrDefault(o => string.CompareOrdinal(text, pos, o, 0, o.Length) == 0) is { } op)
            {
                Balance(open, op[0], line);
                tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, line));
                pos += op.Length;
                continue;
            }
            else
            {
                throw new JinjaException(JinjaErrorKind.Syntax, $"unexpected char {PyStr.Repr(c.ToString())} at {pos}", line);
            }

            pos += match.Length;
        }
    }

    private static (int Length, char Modifier)? EndTag(string text, int pos, bool block)
    {
        var close = block ? "%}" : "}}";
        if (text[pos] is '-' or '+' && (block || text[pos] == '-') && string.CompareOrdinal(text, pos + 1, close, 0, 2) == 0)
        {
            return (3, text[pos]);
        }

        return string.CompareOrdinal(text, pos, close, 0, 2) == 0 ? (2, '\0') : null;
    }

    // After a tag: '-' strips all whitespace, '+' keeps it, otherwise trim_blocks drops one newline after a block or comment.
    private static int AfterTag(string text, int pos, char modifier, bool trimsNewline, ref int line)
    {
        if (modifier == '-')
        {
            for (; pos < text.Length && PyStr.IsSpace(text[pos]); pos++)
            {
                line += text[pos] == '\n' ? 1 : 0;
            }
        }
        else if (modifier != '+' && trimsNewline && pos < text.Length && text[pos] == '\n')
        {
            pos++;
            line++;
        }

        return pos;
    }

    private static void Balance(Stack<char> open, char c, int line)
    {
        if (c is '(' or '[' or '{')
        {
            open.Push(c switch { '(' => ')', '[' => ']', _ => '}' });
        }
        else if (c is ')' or ']' or '}')
        {
            if (open.Count == 0)
            {
                throw new JinjaException(JinjaErrorKind.Syntax, $"unexpected '{c}'", line);
            }

            var expected = open.Pop();
            if (expected != c)
            {
                throw new JinjaException(JinjaErrorKind.Syntax, $"unexpected '{c}', expected '{expected}'", line);
            }
        }
    }

    private static int Count(string text, int from, int to)
    {
        var count = 0;
        for (var i = from; i < to; i++)
        {
            count += text[i] == '\n' ? 1 : 0;
        }

        return count;
    }
}
