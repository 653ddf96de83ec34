namespace GrainServe.Generation.Jinja;

/// <summary>The block tags: what each parses after its name, up to and including its end tag's name.</summary>
internal sealed partial class JinjaParser
{
    private JinjaStatement ParseTag(JinjaToken token)
    {
        switch (token.Value)
        {
            case "for":
                return ParseFor();
            case "if":
                return ParseIf();
            case "set":
                return ParseSet();
            case "macro":
                return ParseMacro();
            case "break" or "continue":
                Next();
                return _loopDepth == 0
                    ? throw Fail($"'{token.Value}' outside of a loop", token.Line)
                    : token.Value == "break" ? new JinjaStatement.Break(token.Line) : new JinjaStatement.Continue(token.Line);
            case "generation":
                Next();
                return new JinjaStatement.Group(token.Line, ParseStatements(["endgeneration"], dropNeedle: true));
            default:
                throw new InvalidOperationException($"tag {token.Value} has no parser");
        }
    }

    private JinjaStatement.For ParseFor()
    {
        var line = Next().Line;
        var target = ParseAssignTarget(withNamespace: false);
        ExpectName("in");
        var iterable = ParseTuple(withCondition: false);
        var filter = SkipName("if") ? ParseExpression() : null;
        if (Current.IsName("recursive"))
        {
            throw Fail("recursive loops are not supported", Current.Line);
        }

        _loopDepth++;
        var body = ParseStatements(["endfor", "else"]);
        _loopDepth--;
        var otherwise = Next().IsName("else") ? ParseStatements(["endfor"], dropNeedle: true) : [];
        return new JinjaStatement.For(line, target, iterable, filter, body, otherwise);
    }

    private JinjaStatement.If ParseIf()
    {
        var line = Next().Line;
        var branches = new List<(JinjaExpression, IReadOnlyList<JinjaStatement>)>();
        while (true)
        {
            var condition = ParseTuple(withCondition: false);
            branches.Add((condition, ParseStatements(["elif", "else", "endif"])));
            var token = Next();
            if (token.IsName("else"))
            {
                return new JinjaStatement.If(line, branches, ParseStatements(["endif"], dropNeedle: true));
            }

            if (!token.IsName("elif"))
            {
                return new JinjaStatement.If(line, branches, []);
            }
        }
    }

    private JinjaStatement ParseSet()
    {
        var line = Next().Line;
        var target = ParseAssignTarget(withNamespace: true);
        if (Current.IsOperator("="))
        {
            Next();
            return new JinjaStatement.Set(line, target, ParseTuple());
        }

        var filters = Current.IsOperator("|") ? ParseFilter(new JinjaExpression.Name(line, JinjaStatement.SetBlock.BodyVariable)) : null;
        return new JinjaStatement.SetBlock(line, target, filters, ParseStatements(["endset"], dropNeedle: true));
    }

    private JinjaStatement.Macro ParseMacro()
    {
        var line = Next().Line;
        var name = Expect(JinjaTokenKind.Name).Value;
        ExpectOperator("(");
        var parameters = new List<(string, JinjaExpression?)>();
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOperator(",");
            }

            var parameter = Expect(JinjaTokenKind.Name);
            JinjaExpression? fallback = null;
            if (Current.IsOperator("="))
            {
                Next();
                fallback = ParseExpression();
            }
            else if (parameters.Any(p => p.Item2 is not null))
            {
                throw Fail("non-default argument follows default argument", parameter.Line);
            }

            parameters.Add((parameter.Value, fallback));
        }

        Next();

        // A break in a macro belongs to no loop of its caller.
        var depth = _loopDepth;
        _loopDepth = 0;
        var body = ParseStatements(["endmacro"], dropNeedle: true);
        _loopDepth = depth;
        return new JinjaStatement.Macro(line, name, parameters, body);
    }

    // Jinja's parse_assign_target: ns.attr (set only), or a name, or names separated by commas.
    private JinjaExpression ParseAssignTarget(bool withNamespace)
    {
        var line = Current.Line;
        if (withNamespace && Current.Kind == JinjaTokenKind.Name && Peek.IsOperator("."))
        {
            var ns = Next();
            Next();
            return new JinjaExpression.GetAttribute(line, new JinjaExpression.Name(ns.Line, ns.Value), Expect(JinjaTokenKind.Name).Value);
        }

        var names = new List<JinjaExpression>();
        var isTuple = false;
        while (true)
        {
            if (names.Count > 0)
            {
                ExpectOperator(",");
            }

            if (IsTupleEnd())
            {
                break;
            }

            var token = Next();
            if (token.Kind is JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float || (token.Kind == JinjaTokenKind.Name && Constants.Contains(token.Value)))
            {
                throw Fail("can't assign to 'const'", token.Line);
            }

            if (token.Kind != JinjaTokenKind.Name)
            {
                throw Fail($"unexpected '{token.Describe()}'", token.Line);
            }

            names.Add(new JinjaExpression.Name(token.Line, token.Value));
            if (!Current.IsOperator(","))
            {
                break;
            }

            isTuple = true;
        }

        return names.Count == 0 ? throw Fail($"Expected an expression, got '{Current.Describe()}'", Current.Line)
            : isTuple ? new JinjaExpression.TupleLiteral(line, names)
            : names[0];
    }
}
