namespace GrainServe.Generation.Jinja;

/// <summary>An expression node of a parsed template (Jinja's <c>nodes.Expr</c>); <see cref="Line"/> is where it starts.</summary>
internal abstract record JinjaExpression(int Line)
{
    /// <summary>A string, number, boolean or none (null).</summary>
    internal sealed record Literal(int Line, object? Value) : JinjaExpression(Line);

    /// <summary>A variable.</summary>
    internal sealed record Name(int Line, string Identifier) : JinjaExpression(Line);

    /// <summary><c>[a, b]</c>.</summary>
    internal sealed record ListLiteral(int Line, IReadOnlyList<JinjaExpression> Items) : JinjaExpression(Line);

    /// <summary><c>(a, b)</c> or <c>a, b</c>; also an assignment target of several names.</summary>
    internal sealed record TupleLiteral(int Line, IReadOnlyList<JinjaExpression> Items) : JinjaExpression(Line);

    /// <summary><c>{k: v}</c>.</summary>
    internal sealed record DictLiteral(int Line, IReadOnlyList<(JinjaExpression Key, JinjaExpression Value)> Items) : JinjaExpression(Line);

    /// <summary><c>target.attribute</c>: an attribute, else an item of that name.</summary>
    internal sealed record GetAttribute(int Line, JinjaExpression Target, string Attribute) : JinjaExpression(Line);

    /// <summary><c>target[key]</c>, where the key may be a <see cref="Slice"/>.</summary>
    internal sealed record GetItem(int Line, JinjaExpression Target, JinjaExpression Key) : JinjaExpression(Line);

    /// <summary><c>start:stop:step</c> inside brackets, each part optional.</summary>
    internal sealed record Slice(int Line, JinjaExpression? Start, JinjaExpression? Stop, JinjaExpression? Step) : JinjaExpression(Line);

    /// <summary><c>target(args)</c>.</summary>
    internal sealed record Call(int Line, JinjaExpression Target, IReadOnlyList<Argument> Arguments) : JinjaExpression(Line);

    /// <summary><c>target | name(args)</c>.</summary>
    internal sealed record Filter(int Line, JinjaExpression Target, string FilterName, IReadOnlyList<Argument> Arguments) : JinjaExpression(Line);

    /// <summary><c>target is name args</c>; <c>is not</c> parses as <see cref="Unary"/> <c>not</c> around it.</summary>
    internal sealed record Test(int Line, JinjaExpression Target, string TestName, IReadOnlyList<Argument> Arguments) : JinjaExpression(Line);

    /// <summary><c>not x</c>, <c>-x</c>, <c>+x</c>.</summary>
    internal sealed record Unary(int Line, string Operator, JinjaExpression Operand) : JinjaExpression(Line);

    /// <summary><c>+ - * / // % ** ~ and or</c>.</summary>
    internal sealed record Binary(int Line, string Operator, JinjaExpression Left, JinjaExpression Right) : JinjaExpression(Line);

    /// <summary>A chain of comparisons, <c>a &lt; b == c</c>, each operator one of <c>== != &lt; &lt;= &gt; &gt;= in notin</c>.</summary>
    internal sealed record Compare(int Line, JinjaExpression First, IReadOnlyList<(string Operator, JinjaExpression Right)> Rest) : JinjaExpression(Line);

    /// <summary><c>then if test else otherwise</c>; without <c>else</c> a false test gives undefined.</summary>
    internal sealed record Conditional(int Line, JinjaExpression Condition, JinjaExpression Then, JinjaExpression? Otherwise) : JinjaExpression(Line);

    /// <summary>An argument of a call, filter or test: positional when <paramref name="Keyword"/> is null.</summary>
    internal sealed record Argument(string? Keyword, JinjaExpression Value);
}
