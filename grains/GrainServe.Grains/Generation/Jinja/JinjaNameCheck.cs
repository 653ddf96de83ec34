namespace GrainServe.Generation.Jinja;

/// <summary>
/// Jinja's compile-time check of filter and test names: a name Jinja does not know fails the template, except inside
/// an <c>if</c> (its conditions and bodies) or an inline <c>x if c else y</c>, where Jinja defers it until that code
/// runs. Loops, macros and set blocks start afresh, as Jinja's inner frames do.
/// </summary>
internal static class JinjaNameCheck
{
    /// <exception cref="JinjaException">A <see cref="JinjaErrorKind.Syntax"/> error at the unknown name's line.</exception>
    public static void Check(IReadOnlyList<JinjaStatement> body, bool deferred = false)
    {
        foreach (var statement in body)
        {
            switch (statement)
            {
                case JinjaStatement.Output output:
                    Check(output.Value, deferred);
                    break;
                case JinjaStatement.If branches:
                    foreach (var (condition, branch) in branches.Branches)
                    {
                        Check(condition, deferred: true);
                        Check(branch, deferred: true);
                    }

                    Check(branches.Otherwise, deferred: true);
                    break;
                case JinjaStatement.For loop:
                    Check(loop.Iterable, deferred);
                    if (loop.Filter is not null)
                    {
                        Check(loop.Filter, deferred: false);
                    }

                    Check(loop.Body);
                    Check(loop.Otherwise);
                    break;
                case JinjaStatement.Set set:
                    Check(set.Value, deferred);
                    break;
                case JinjaStatement.SetBlock block:
                    if (block.Filters is not null)
                    {
                        Check(block.Filters, deferred);
                    }

                    Check(block.Body);
                    break;
                case JinjaStatement.Macro macro:
                    foreach (var (_, fallback) in macro.Parameters)
                    {
                        if (fallback is not null)
                        {
                            Check(fallback, deferred: false);
                        }
                    }

                    Check(macro.Body);
                    break;
                case JinjaStatement.Group group:
                    Check(group.Body);
                    break;
            }
        }
    }

    private static void Check(JinjaExpression expression, bool deferred)
    {
        switch (expression)
        {
            case JinjaExpression.Filter filter:
                Require(JinjaFilters.IsKnown(filter.FilterName) || deferred, "filter", filter.FilterName, filter.Line);
                Check(filter.Target, deferred);
                Check(filter.Arguments, deferred);
                break;
            case JinjaExpression.Test test:
                Require(JinjaTestFunctions.IsKnown(test.TestName) || deferred, "test", test.TestName, test.Line);
                Check(test.Target, deferred);
                Check(test.Arguments, deferred);
                break;
            case JinjaExpression.Conditional conditional:
                Check(conditional.Condition, deferred: true);
                Check(conditional.Then, deferred: true);
                if (conditional.Otherwise is not null)
                {
                    Check(conditional.Otherwise, deferred: true);
                }

                break;
            case JinjaExpression.ListLiteral list:
                list.Items.ToList().ForEach(item => Check(item, deferred));
                break;
            case JinjaExpression.TupleLiteral tuple:
                tuple.Items.ToList().ForEach(item => Check(item, deferred));
                break;
            case JinjaExpression.DictLiteral dict:
                dict.Items.ToList().ForEach(item =>
                {
                    Check(item.Key, deferred);
                    Check(item.Value, deferred);
                });
                break;
            case JinjaExpression.GetAttribute attribute:
                Check(attribute.Target, deferred);
                break;
            case JinjaExpression.GetItem item:
                Check(item.Target, deferred);
                Check(item.Key, deferred);
                break;
            case JinjaExpression.Slice slice:
                foreach (var part in new[] { slice.Start, slice.Stop, slice.Step })
                {
                    if (part is not null)
                    {
                        Check(part, deferred);
                    }
                }

                break;
            case JinjaExpression.Call call:
                Check(call.Target, deferred);
                Check(call.Arguments, deferred);
                break;
            case JinjaExpression.Unary unary:
                Check(unary.Operand, deferred);
                break;
            case JinjaExpression.Binary binary:
                Check(binary.Left, deferred);
                Check(binary.Right, deferred);
                break;
            case JinjaExpression.Compare compare:
                Check(compare.First, deferred);
                compare.Rest.ToList().ForEach(r => Check(r.Right, deferred));
                break;
        }
    }

    private static void Check(IReadOnlyList<JinjaExpression.Argument> arguments, bool deferred)
    {
        foreach (var argument in arguments)
        {
            Check(argument.Value, deferred);
        }
    }

    private static void Require(bool known, string kind, string name, int line)
    {
        if (!known)
        {
            throw new JinjaException(JinjaErrorKind.Syntax, $"No {kind} named '{name}'.", line);
        }
    }
}
