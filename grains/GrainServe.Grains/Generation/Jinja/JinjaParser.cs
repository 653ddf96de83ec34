namespace GrainServe.Generation.Jinja;

/// <summary>
/// Jinja2's parser (parser.py), recursive descent over <see cref="JinjaLexer"/>'s tokens, for the subset chat templates
/// use: <c>if</c>/<c>elif</c>/<c>else</c>, <c>for</c> (several targets, an <c>if</c> filter, <c>else</c>), <c>set</c>
/// (names, tuples, namespace attributes, blocks), <c>macro</c>, <c>break</c>/<c>continue</c>, and transformers'
/// <c>generation</c> block (JinjaParser.Statements.cs); expressions with Jinja's precedence (JinjaParser.Expressions.cs)
/// and their postfixes, filters and tests (JinjaParser.Postfix.cs). Errors carry Jinja's wording and the line.
/// </summary>
internal sealed partial class JinjaParser
{
    private static readonly string[] Constants = ["true", "false", "none", "True", "False", "None"];
    private static readonly string[] Tags = ["for", "if", "set", "macro", "break", "continue", "generation"];

    private readonly List<JinjaToken> _tokens;

    // Jinja's _tag_stack and _end_token_stack: what its errors say is open and awaited.
    private readonly Stack<string> _openTags = new();
    private readonly Stack<string[]> _awaitedEnds = new();
    private int _pos;
    private int _loopDepth;

    private JinjaParser(List<JinjaToken> tokens)
    {
        _tokens = tokens;
    }

    private JinjaToken Current => _tokens[_pos];

    private JinjaToken Peek => _tokens[Math.Min(_pos + 1, _tokens.Count - 1)];

    /// <summary>The statements of <paramref name="source"/>.</summary>
    /// <exception cref="JinjaException">A <see cref="JinjaErrorKind.Syntax"/> error, at its line.</exception>
    public static IReadOnlyList<JinjaStatement> Parse(string source)
    {
        var body = new JinjaParser(JinjaLexer.Tokenize(source)).Subparse([]);
        JinjaNameCheck.Check(body);
        return body;
    }

    private JinjaToken Next()
    {
        var token = Current;
        _pos = Math.Min(_pos + 1, _tokens.Count - 1);
        return token;
    }

    // Statements up to a block tag named in endNames (left current), or the end of the template when there are none.
    private List<JinjaStatement> Subparse(string[] endNames)
    {
        if (endNames.Length > 0)
        {
            _awaitedEnds.Push(endNames);
        }

        try
        {
            return SubparseAwaiting(endNames);
        }
        finally
        {
            if (endNames.Length > 0)
            {
                _awaitedEnds.Pop();
            }
        }
    }

    private List<JinjaStatement> SubparseAwaiting(string[] endNames)
    {
        var body = new List<JinjaStatement>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case JinjaTokenKind.Text:
                    body.Add(new JinjaStatement.Text(token.Line, Next().Value));
                    break;
                case JinjaTokenKind.VariableBegin:
                    Next();
                    body.Add(new JinjaStatement.Output(token.Line, ParseTuple()));
                    Expect(JinjaTokenKind.VariableEnd);
                    break;
                case JinjaTokenKind.BlockBegin:
                    Next();
                    if (Current.Kind == JinjaTokenKind.Name && endNames.Contains(Current.Value))
                    {
                        return body;
                    }

                    body.Add(ParseStatement());
                    Expect(JinjaTokenKind.BlockEnd);
                    break;
                case JinjaTokenKind.End when endNames.Length == 0:
                    return body;
                case JinjaTokenKind.End:
                    throw FailUnclosed(null, token.Line);
                default:
                    throw Fail($"unexpected '{token.Describe()}'", token.Line);
            }
        }
    }

    private JinjaStatement ParseStatement()
    {
        var token = Current;
        if (token.Kind != JinjaTokenKind.Name)
        {
            throw Fail("tag name expected", token.Line);
        }

        if (!Tags.Contains(token.Value))
        {
            throw FailUnclosed(token.Value, token.Line);
        }

        _openTags.Push(token.Value);
        try
        {
            return ParseTag(token);
        }
        finally
        {
            _openTags.Pop();
        }
    }

    // Jinja's _fail_ut_eof: an unknown tag (name) or the end of the template (null) inside the open blocks.
    private JinjaException FailUnclosed(string? name, int line)
    {
        var message = new List<string> { name is null ? "Unexpected end of template." : $"Encountered unknown tag '{name}'." };
        if (_awaitedEnds.Count > 0)
        {
            var looking = Describe(_awaitedEnds.Peek());
            message.Add(name is not null && _awaitedEnds.Any(ends => ends.Contains(name))
                ? $"You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for {looking}."
                : $"Jinja was looking for the following tags: {looking}.");
        }

        if (_openTags.Count > 0)
        {
            message.Add($"The innermost block that needs to be closed is '{_openTags.Peek()}'.");
        }

        return Fail(string.Join(" ", message), line);
    }

    private List<JinjaStatement> ParseStatements(string[] endNames, bool dropNeedle = false)
    {
        Expect(JinjaTokenKind.BlockEnd);
        var body = Subparse(endNames);
        if (dropNeedle)
        {
            Next();
        }

        return body;
    }

    // Jinja's is_tuple_end. Its extra end rules ('in' after a for target) never match (it tests the tuple of rules as one
    // rule), so 'for a, in x' reads 'in' as a second target there, and here.
    private bool IsTupleEnd() =>
        Current.Kind is JinjaTokenKind.VariableEnd or JinjaTokenKind.BlockEnd || Current.IsOperator(")");

    private bool SkipName(string name)
    {
        if (!Current.IsName(name))
        {
            return false;
        }

        Next();
        return true;
    }

    private JinjaToken Expect(JinjaTokenKind kind)
    {
        if (Current.Kind != kind)
        {
            var expected = kind switch
            {
                JinjaTokenKind.VariableEnd => "end of print statement",
                JinjaTokenKind.BlockEnd => "end of statement block",
                JinjaTokenKind.Name => "name",
                _ => kind.ToString(),
            };
            throw Unexpected(expected);
        }

        return Next();
    }

    private JinjaToken ExpectOperator(string op) => Current.IsOperator(op) ? Next() : throw Unexpected(op);

    private void ExpectName(string name)
    {
        if (!SkipName(name))
        {
            throw Unexpected(name);
        }
    }

    // Jinja's TokenStream.expect message.
    private JinjaException Unexpected(string expected) => Current.Kind == JinjaTokenKind.End
        ? Fail($"unexpected end of template, expected '{expected}'.", Current.Line)
        : Fail($"expected token '{expected}', got '{Current.Describe()}'", Current.Line);

    private static string Describe(string[] names) => string.Join(" or ", names.Select(n => $"'{n}'"));

    private static JinjaException Fail(string message, int line) => new(JinjaErrorKind.Syntax, message, line);
}
