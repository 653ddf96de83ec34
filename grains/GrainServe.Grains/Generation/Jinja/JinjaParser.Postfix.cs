using System.Globalization;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// What follows a primary: <c>.attr</c>, <c>[key]</c> and <c>[start:stop:step]</c>, calls with positional and keyword
/// arguments, filters (<c>| name(args)</c>) and tests (<c>is [not] name arg</c>, one bare argument allowed).
/// </summary>
internal sealed partial class JinjaParser
{
    private JinjaExpression ParsePostfix(JinjaExpression node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("["))
            {
                node = ParseSubscript(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new JinjaExpression.Call(Current.Line, node, ParseCallArguments());
            }
            else
            {
                return node;
            }
        }
    }

    private JinjaExpression ParseFilterExpression(JinjaExpression node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                node = ParseFilter(node);
            }
            else if (Current.IsName("is"))
            {
                node = ParseTest(node);
            }
            else if (Current.IsOperator("("))
            {
                node = new JinjaExpression.Call(Current.Line, node, ParseCallArguments());
            }
            else
            {
                return node;
            }
        }
    }

    private JinjaExpression ParseSubscript(JinjaExpression node)
    {
        var token = Next();
        if (token.IsOperator("."))
        {
            var attribute = Next();
            return attribute.Kind switch
            {
                JinjaTokenKind.Name => new JinjaExpression.GetAttribute(token.Line, node, attribute.Value),
                JinjaTokenKind.Integer => new JinjaExpression.GetItem(token.Line, node, new JinjaExpression.Literal(attribute.Line, long.Parse(attribute.Value, CultureInfo.InvariantCulture))),
                _ => throw Fail("expected name or number", attribute.Line),
            };
        }

        var keys = new List<JinjaExpression>();
        while (!Current.IsOperator("]"))
        {
            if (keys.Count > 0)
            {
                ExpectOperator(",");
            }

            keys.Add(ParseSubscribed());
        }

        Next();
        return new JinjaExpression.GetItem(token.Line, node, keys.Count == 1 ? keys[0] : new JinjaExpression.TupleLiteral(token.Line, keys));
    }

    // An index or a slice start:stop:step, every part optional (Jinja's parse_subscribed).
    private JinjaExpression ParseSubscribed()
    {
        var line = Current.Line;
        JinjaExpression? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!Current.IsOperator(":"))
            {
                return start;
            }
        }

        Next();
        var stop = Current.IsOperator(":") || Current.IsOperator("]") || Current.IsOperator(",") ? null : ParseExpression();
        JinjaExpression? step = null;
        if (Current.IsOperator(":"))
        {
            Next();
            step = Current.IsOperator("]") || Current.IsOperator(",") ? null : ParseExpression();
        }

        return new JinjaExpression.Slice(line, start, stop, step);
    }

    private List<JinjaExpression.Argument> ParseCallArguments()
    {
        var open = ExpectOperator("(");
        var arguments = new List<JinjaExpression.Argument>();
        while (!Current.IsOperator(")"))
        {
            if (arguments.Count > 0)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (Current.IsOperator("*") || Current.IsOperator("**"))
            {
                throw Fail("*args and **kwargs in calls are not supported", Current.Line);
            }

            if (Current.Kind == JinjaTokenKind.Name && Peek.IsOperator("="))
            {
                var keyword = Next().Value;
                Next();
                arguments.Add(new JinjaExpression.Argument(keyword, ParseExpression()));
            }
            else if (arguments.Any(a => a.Keyword is not null))
            {
                throw Fail("invalid syntax for function call expression", open.Line);
            }
            else
            {
                arguments.Add(new JinjaExpression.Argument(null, ParseExpression()));
            }
        }

        Next();
        return arguments;
    }

    private JinjaExpression ParseFilter(JinjaExpression node)
    {
        while (Current.IsOperator("|"))
        {
            Next();
            var token = Expect(JinjaTokenKind.Name);
            var name = DottedName(token.Value);
            node = new JinjaExpression.Filter(token.Line, node, name, Current.IsOperator("(") ? ParseCallArguments() : []);
        }

        return node;
    }

    private JinjaExpression ParseTest(JinjaExpression node)
    {
        var token = Next();
        var negated = SkipName("not");
        var nameToken = Expect(JinjaTokenKind.Name);
        var name = DottedName(nameToken.Value);
        List<JinjaExpression.Argument> arguments = [];
        if (Current.IsOperator("("))
        {
            arguments = ParseCallArguments();
        }
        else if ((Current.Kind is JinjaTokenKind.Name or JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float
                || Current.IsOperator("[") || Current.IsOperator("{"))
            && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            // Jinja takes one bare argument: x is divisibleby 3, x is sameas none.
            if (Current.IsName("is"))
            {
                throw Fail("You cannot chain multiple tests with is", Current.Line);
            }

            arguments = [new JinjaExpression.Argument(null, ParsePostfix(ParsePrimary()))];
        }

        JinjaExpression test = new JinjaExpression.Test(token.Line, node, name, arguments);
        return negated ? new JinjaExpression.Unary(token.Line, "not", test) : test;
    }

    private string DottedName(string name)
    {
        while (Current.IsOperator("."))
        {
            Next();
            name += "." + Expect(JinjaTokenKind.Name).Value;
        }

        return name;
    }
}
