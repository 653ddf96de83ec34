using System.Text;

namespace GrainServe.Generation.Jinja;

/// <summary>
/// Runs a parsed template: statements write to one output, expressions evaluate to Python-like values
/// (<see cref="JinjaValues"/>). Scoping is Jinja's: a loop iteration and a macro call get a frame of their own,
/// <c>if</c> does not. An error without a position gets the line of the innermost node it passed through.
/// </summary>
internal sealed partial class JinjaRenderer
{
    // Deep enough for any real template's recursion (tool schemas), shallow enough to fail before the stack does.
    private const int MaxMacroDepth = 64;

    private int _macroDepth;

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    /// <summary>Renders <paramref name="body"/> with <paramref name="variables"/> and Jinja's globals (<c>range</c>, <c>dict</c>, <c>namespace</c>).</summary>
    /// <exception cref="JinjaException">Rendering failed (<see cref="JinjaErrorKind.Runtime"/> or <see cref="JinjaErrorKind.Raised"/>).</exception>
    public static string Render(IReadOnlyList<JinjaStatement> body, IReadOnlyDictionary<string, object?> variables)
    {
        var globals = new JinjaScope(null);
        foreach (var function in JinjaGlobals.Functions)
        {
            globals.Set(function.Name, function);
        }

        var context = new JinjaScope(globals);
        foreach (var (name, value) in variables)
        {
            context.Set(name, value);
        }

        var output = new StringBuilder();
        new JinjaRenderer().Execute(body, context, output);
        return output.ToString();
    }

    /// <summary>Calls a macro: a frame of its own under the one it was defined in, parameters bound as Jinja binds them.</summary>
    public string CallMacro(JinjaStatement.Macro macro, JinjaScope definitionScope, JinjaArguments arguments)
    {
        if (arguments.Positional.Count > macro.Parameters.Count)
        {
            throw JinjaException.Runtime($"macro {PyStr.Repr(macro.Name)} takes not more than {macro.Parameters.Count} argument(s)");
        }

        if (arguments.Named.Keys.FirstOrDefault(k => macro.Parameters.All(p => p.Name != k)) is { } unknown)
        {
            throw JinjaException.Runtime($"macro {PyStr.Repr(macro.Name)} takes no keyword argument {PyStr.Repr(unknown)}");
        }

        if (_macroDepth >= MaxMacroDepth)
        {
            throw JinjaException.Runtime($"macro {PyStr.Repr(macro.Name)} recursed more than {MaxMacroDepth} calls deep");
        }

        var scope = new JinjaScope(definitionScope);
        for (var i = 0; i < macro.Parameters.Count; i++)
        {
            var (name, fallback) = macro.Parameters[i];
            scope.Set(name, i < arguments.Positional.Count ? arguments.Positional[i]
                : arguments.Named.TryGetValue(name, out var value) ? value
                : fallback is not null ? Evaluate(fallback, scope)
                : JinjaUndefined.Hint($"parameter {PyStr.Repr(name)} was not provided"));
        }

        var output = new StringBuilder();
        _macroDepth++;
        try
        {
            Execute(macro.Body, scope, output);
        }
        finally
        {
            _macroDepth--;
        }

        return output.ToString();
    }

    private Flow Execute(IReadOnlyList<JinjaStatement> body, JinjaScope scope, StringBuilder output)
    {
        foreach (var statement in body)
        {
            Flow flow;
            try
            {
                flow = Execute(statement, scope, output);
            }
            catch (JinjaException e) when (e.Line is null)
            {
                throw e.AtLine(statement.Line);
            }

            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow Execute(JinjaStatement statement, JinjaScope scope, StringBuilder output)
    {
        switch (statement)
        {
            case JinjaStatement.Text text:
                output.Append(text.Value);
                return Flow.Normal;
            case JinjaStatement.Output print:
                output.Append(JinjaValues.ToStr(Evaluate(print.Value, scope)));
                return Flow.Normal;
            case JinjaStatement.If branches:
                foreach (var (condition, body) in branches.Branches)
                {
                    if (JinjaValues.IsTrue(Evaluate(condition, scope)))
                    {
                        return Execute(body, scope, output);
                    }
                }

                return Execute(branches.Otherwise, scope, output);
            case JinjaStatement.For loop:
                return ExecuteFor(loop, scope, output);
            case JinjaStatement.Set set:
                Assign(set.Target, Evaluate(set.Value, scope), scope);
                return Flow.Normal;
            case JinjaStatement.SetBlock block:
                var captured = new StringBuilder();
                var blockScope = new JinjaScope(scope);
                Execute(block.Body, blockScope, captured);
                blockScope.Set(JinjaStatement.SetBlock.BodyVariable, captured.ToString());
                Assign(block.Target, block.Filters is null ? captured.ToString() : Evaluate(block.Filters, blockScope), scope);
                return Flow.Normal;
            case JinjaStatement.Macro macro:
                scope.Set(macro.Name, new JinjaMacro(macro, scope, this));
                return Flow.Normal;
            case JinjaStatement.Group group:
                return Execute(group.Body, scope, output);
            case JinjaStatement.Break:
                return Flow.Break;
            case JinjaStatement.Continue:
                return Flow.Continue;
            default:
                throw new InvalidOperationException($"unknown statement {statement.GetType().Name}");
        }
    }

    private Flow ExecuteFor(JinjaStatement.For loop, JinjaScope scope, StringBuilder output)
    {
        var items = new List<object?>();
        foreach (var item in JinjaValues.Iterate(Evaluate(loop.Iterable, scope)))
        {
            // The filter sees the loop's target but not 'loop': it decides what the loop counts.
            if (loop.Filter is not null)
            {
                var filterScope = new JinjaScope(scope);
                Assign(loop.Target, item, filterScope);
                if (!JinjaValues.IsTrue(Evaluate(loop.Filter, filterScope)))
                {
                    continue;
                }
            }

            items.Add(item);
        }

        if (items.Count == 0)
        {
            return Execute(loop.Otherwise, new JinjaScope(scope), output);
        }

        var context = new JinjaLoop(items);
        for (var i = 0; i < items.Count; i++)
        {
            // Each iteration starts from the enclosing frame: what the last one set is gone, as in Jinja.
            var iteration = new JinjaScope(scope);
            context.Index0 = i;
            iteration.Set("loop", context);
            Assign(loop.Target, items[i], iteration);
            if (Execute(loop.Body, iteration, output) == Flow.Break)
            {
                break;
            }
        }

        return Flow.Normal;
    }

    private static void Assign(JinjaExpression target, object? value, JinjaScope scope)
    {
        switch (target)
        {
            case JinjaExpression.Name name:
                scope.Set(name.Identifier, value);
                break;
            case JinjaExpression.TupleLiteral names:
                var values = JinjaValues.Iterate(value);
                if (values.Count != names.Items.Count)
                {
                    throw JinjaException.Runtime(values.Count < names.Items.Count
                        ? $"not enough values to unpack (expected {names.Items.Count}, got {values.Count})"
                        : $"too many values to unpack (expected {names.Items.Count})");
                }

                for (var i = 0; i < values.Count; i++)
                {
                    Assign(names.Items[i], values[i], scope);
                }

                break;
            case JinjaExpression.GetAttribute { Target: JinjaExpression.Name owner } attribute:
                if (!scope.TryLookup(owner.Identifier, out var ns) || ns is not JinjaNamespace space)
                {
                    throw JinjaException.Runtime("cannot assign attribute on non-namespace object");
                }

                space.Attributes[attribute.Attribute] = value;
                break;
            default:
                throw new InvalidOperationException($"cannot assign to {target.GetType().Name}");
        }
    }
}
