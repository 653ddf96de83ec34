namespace GrainServe.Generation.Jinja;

/// <summary>Expression evaluation: Python's semantics through <see cref="JinjaOperators"/>, <see cref="JinjaAccess"/> and the filters and tests.</summary>
internal sealed partial class JinjaRenderer
{
    private object? Evaluate(JinjaExpression expression, JinjaScope scope)
    {
        try
        {
            return expression switch
            {
                JinjaExpression.Literal literal => literal.Value,
                JinjaExpression.Name name => scope.TryLookup(name.Identifier, out var value) ? value : JinjaUndefined.Variable(name.Identifier),
                JinjaExpression.ListLiteral list => new List<object?>(list.Items.Select(item => Evaluate(item, scope))),
                JinjaExpression.TupleLiteral tuple => tuple.Items.Select(item => Evaluate(item, scope)).ToArray(),
                JinjaExpression.DictLiteral dict => EvaluateDict(dict, scope),
                JinjaExpression.GetAttribute attribute => JinjaAccess.GetAttribute(Evaluate(attribute.Target, scope), attribute.Attribute),
                JinjaExpression.GetItem { Key: JinjaExpression.Slice slice } item => JinjaAccess.Slice(
                    Evaluate(item.Target, scope),
                    slice.Start is null ? null : Evaluate(slice.Start, scope),
                    slice.Stop is null ? null : Evaluate(slice.Stop, scope),
                    slice.Step is null ? null : Evaluate(slice.Step, scope)),
                JinjaExpression.GetItem item => JinjaAccess.GetItem(Evaluate(item.Target, scope), Evaluate(item.Key, scope)),
                JinjaExpression.Call call => EvaluateCall(call, scope),
                JinjaExpression.Filter filter => JinjaFilters.Apply(filter.FilterName, Evaluate(filter.Target, scope), EvaluateArguments(filter.Arguments, scope)),
                JinjaExpression.Test test => JinjaTestFunctions.Apply(test.TestName, Evaluate(test.Target, scope), EvaluateArguments(test.Arguments, scope)),
                JinjaExpression.Unary { Operator: "not" } not => !JinjaValues.IsTrue(Evaluate(not.Operand, scope)),
                JinjaExpression.Unary unary => JinjaOperators.Unary(Evaluate(unary.Operand, scope), negate: unary.Operator == "-"),
                JinjaExpression.Binary binary => EvaluateBinary(binary, scope),
                JinjaExpression.Compare compare => EvaluateCompare(compare, scope),
                JinjaExpression.Conditional conditional => JinjaValues.IsTrue(Evaluate(conditional.Condition, scope))
                    ? Evaluate(conditional.Then, scope)
                    : conditional.Otherwise is { } otherwise
                        ? Evaluate(otherwise, scope)
                        : JinjaUndefined.Hint($"the inline if-expression on line {conditional.Line} evaluated to false and no else section was defined."),
                JinjaExpression.Slice => throw JinjaException.Runtime("a slice is only valid inside brackets"),
                _ => throw new InvalidOperationException($"unknown expression {expression.GetType().Name}"),
            };
        }
        catch (JinjaException e) when (e.Line is null)
        {
            throw e.AtLine(expression.Line);
        }
    }

    private JinjaDict EvaluateDict(JinjaExpression.DictLiteral literal, JinjaScope scope)
    {
        var dict = new JinjaDict();
        foreach (var (key, value) in literal.Items)
        {
            dict[JinjaDict.RequireKey(Evaluate(key, scope))] = Evaluate(value, scope);
        }

        return dict;
    }

    private object? EvaluateCall(JinjaExpression.Call call, JinjaScope scope)
    {
        var callee = Evaluate(call.Target, scope);
        var arguments = EvaluateArguments(call.Arguments, scope);
        return callee switch
        {
            JinjaCallable callable => callable.Call(arguments),
            JinjaUndefined undefined => throw undefined.Error(),
            _ => throw JinjaException.Runtime($"{PyStr.Repr(JinjaValues.TypeName(callee))} object is not callable"),
        };
    }

    private JinjaArguments EvaluateArguments(IReadOnlyList<JinjaExpression.Argument> arguments, JinjaScope scope)
    {
        if (arguments.Count == 0)
        {
            return JinjaArguments.None;
        }

        var positional = new List<object?>();
        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            var value = Evaluate(argument.Value, scope);
            if (argument.Keyword is null)
            {
                positional.Add(value);
            }
            else
            {
                named[argument.Keyword] = value;
            }
        }

        return new JinjaArguments(positional, named);
    }

    // and/or return an operand, not a boolean, and skip the right side when the left decides (Python's semantics).
    private object? EvaluateBinary(JinjaExpression.Binary binary, JinjaScope scope)
    {
        var left = Evaluate(binary.Left, scope);
        return binary.Operator switch
        {
            "and" => JinjaValues.IsTrue(left) ? Evaluate(binary.Right, scope) : left,
            "or" => JinjaValues.IsTrue(left) ? left : Evaluate(binary.Right, scope),
            _ => JinjaOperators.Binary(binary.Operator, left, Evaluate(binary.Right, scope)),
        };
    }

    private bool EvaluateCompare(JinjaExpression.Compare compare, JinjaScope scope)
    {
        var left = Evaluate(compare.First, scope);
        foreach (var (op, rightExpression) in compare.Rest)
        {
            var right = Evaluate(rightExpression, scope);
            if (!JinjaOperators.Compare(op, left, right))
            {
                return false;
            }

            left = right;
        }

        return true;
    }
}
