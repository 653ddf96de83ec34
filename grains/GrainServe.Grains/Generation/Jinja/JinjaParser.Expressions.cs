using System.Globalization;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// Expressions, loosest first as Jinja binds them: <c>x if c else y</c>, <c>or</c>, <c>and</c>, <c>not</c>,
/// comparisons (<c>in</c>, <c>not in</c>), <c>+ -</c>, <c>~</c>, <c>* / // %</c>, <c>**</c>, unary <c>- +</c>; then
/// a primary with its postfixes (<c>.attr</c>, <c>[key]</c>, <c>[a:b]</c>, calls) and, binding tighter than every
/// operator, filters and tests: <c>'a' + x | trim</c> trims only x, and <c>not x is defined</c> negates the test.
/// </summary>
internal sealed partial class JinjaParser
{
    private static readonly string[] ComparisonOperators = ["==", "!=", "<", ">", "<=", ">="];

    private JinjaExpression ParseTuple(bool withCondition = true, bool explicitParentheses = false)
    {
        var line = Current.Line;
        var items = new List<JinjaExpression>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
            {
                ExpectOperator(",");
            }

            if (IsTupleEnd())
            {
                break;
            }

            items.Add(withCondition ? ParseExpression() : ParseOr());
            if (!Current.IsOperator(","))
            {
                break;
            }

            isTuple = true;
        }

        if (!isTuple && items.Count == 1)
        {
            return items[0];
        }

        return items.Count > 0 || explicitParentheses
            ? new JinjaExpression.TupleLiteral(line, items)
            : throw Fail($"Expected an expression, got '{Current.Describe()}'", Current.Line);
    }

    private JinjaExpression ParseExpression()
    {
        var line = Current.Line;
        var expression = ParseOr();
        while (SkipName("if"))
        {
            var condition = ParseOr();
            var otherwise = SkipName("else") ? ParseExpression() : null;
            expression = new JinjaExpression.Conditional(line, condition, expression, otherwise);
        }

        return expression;
    }

    private JinjaExpression ParseOr() => ParseLeft(ParseAnd, [], keyword: "or");

    private JinjaExpression ParseAnd() => ParseLeft(ParseNot, [], keyword: "and");

    private JinjaExpression ParseNot()
    {
        var token = Current;
        return SkipName("not") ? new JinjaExpression.Unary(token.Line, "not", ParseNot()) : ParseCompare();
    }

    private JinjaExpression ParseCompare()
    {
        var line = Current.Line;
        var first = ParseMath1();
        var rest = new List<(string, JinjaExpression)>();
        while (true)
        {
            if (Current.Kind == JinjaTokenKind.Operator && ComparisonOperators.Contains(Current.Value))
            {
                var op = Next().Value;
                rest.Add((op, ParseMath1()));
            }
            else if (SkipName("in"))
            {
                rest.Add(("in", ParseMath1()));
            }
            else if (Current.IsName("not") && Peek.IsName("in"))
            {
                Next();
                Next();
                rest.Add(("notin", ParseMath1()));
            }
            else
            {
                return rest.Count == 0 ? first : new JinjaExpression.Compare(line, first, rest);
            }
        }
    }

    private JinjaExpression ParseMath1() => ParseLeft(ParseConcat, ["+", "-"]);

    private JinjaExpression ParseConcat() => ParseLeft(ParseMath2, ["~"]);

    private JinjaExpression ParseMath2() => ParseLeft(ParsePow, ["*", "/", "//", "%"]);

    private JinjaExpression ParsePow() => ParseLeft(() => ParseUnary(), ["**"]);

    // A left-associative chain of one precedence level: its operator tokens, or its keyword (and, or).
    private JinjaExpression ParseLeft(Func<JinjaExpression> operand, string[] operators, string? keyword = null)
    {
        var left = operand();
        while ((keyword is not null && Current.IsName(keyword)) || (Current.Kind == JinjaTokenKind.Operator && operators.Contains(Current.Value)))
        {
            var token = Next();
            left = new JinjaExpression.Binary(token.Line, token.Value, left, operand());
        }

        return left;
    }

    private JinjaExpression ParseUnary(bool withFilter = true)
    {
        var token = Current;
        JinjaExpression node;
        if (token.IsOperator("-") || token.IsOperator("+"))
        {
            Next();
            node = new JinjaExpression.Unary(token.Line, token.Value, ParseUnary(withFilter: false));
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpression(node) : node;
    }

    private JinjaExpression ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new JinjaExpression.Literal(token.Line, true),
                    "false" or "False" => new JinjaExpression.Literal(token.Line, false),
                    "none" or "None" => new JinjaExpression.Literal(token.Line, null),
                    _ => new JinjaExpression.Name(token.Line, token.Value),
                };
            case JinjaTokenKind.String:
                // Adjacent literals concatenate, as in Python: 'a' "b" is 'ab'.
                var text = token.Value;
                while (Current.Kind == JinjaTokenKind.String)
                {
                    text += Next().Value;
                }

                return new JinjaExpression.Literal(token.Line, text);
            case JinjaTokenKind.Integer:
                return new JinjaExpression.Literal(token.Line, long.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var integer)
                    ? (object)integer
                    : double.Parse(token.Value, CultureInfo.InvariantCulture));
            case JinjaTokenKind.Float:
                return new JinjaExpression.Literal(token.Line, double.Parse(token.Value, CultureInfo.InvariantCulture));
            case JinjaTokenKind.Operator when token.Value == "(":
                var inner = ParseTuple(explicitParentheses: true);
                ExpectOperator(")");
                return inner;
            case JinjaTokenKind.Operator when token.Value == "[":
                var items = ParseItems("]", ParseExpression);
                return new JinjaExpression.ListLiteral(token.Line, items);
            case JinjaTokenKind.Operator when token.Value == "{":
                var pairs = ParseItems("}", () =>
                {
                    var key = ParseExpression();
                    ExpectOperator(":");
                    return (key, ParseExpression());
                });
                return new JinjaExpression.DictLiteral(token.Line, pairs);
            default:
                throw Fail($"unexpected '{token.Describe()}'", token.Line);
        }
    }

    // The items of a list or dict literal up to its closing bracket, a trailing comma allowed.
    private List<T> ParseItems<T>(string close, Func<T> item)
    {
        var items = new List<T>();
        while (!Current.IsOperator(close))
        {
            if (items.Count > 0)
            {
                ExpectOperator(",");
                if (Current.IsOperator(close))
                {
                    break;
                }
            }

            items.Add(item());
        }

        Next();
        return items;
    }
}
