namespace GrainServe.Generation.Jinja;

/// <summary>A statement node of a parsed template (Jinja's <c>nodes.Stmt</c>, and template text).</summary>
internal abstract record JinjaStatement(int Line)
{
    /// <summary>Template text, whitespace control already applied.</summary>
    internal sealed record Text(int Line, string Value) : JinjaStatement(Line);

    /// <summary><c>{{ value }}</c>.</summary>
    internal sealed record Output(int Line, JinjaExpression Value) : JinjaStatement(Line);

    /// <summary><c>{% if %}…{% elif %}…{% else %}…{% endif %}</c>: the first branch whose condition holds, else <paramref name="Otherwise"/>.</summary>
    internal sealed record If(int Line, IReadOnlyList<(JinjaExpression Condition, IReadOnlyList<JinjaStatement> Body)> Branches, IReadOnlyList<JinjaStatement> Otherwise) : JinjaStatement(Line);

    /// <summary>
    /// <c>{% for target in iterable if filter %}…{% else %}…{% endfor %}</c>; <paramref name="Target"/> is a
    /// <see cref="JinjaExpression.Name"/> or a <see cref="JinjaExpression.TupleLiteral"/> of names.
    /// </summary>
    internal sealed record For(int Line, JinjaExpression Target, JinjaExpression Iterable, JinjaExpression? Filter, IReadOnlyList<JinjaStatement> Body, IReadOnlyList<JinjaStatement> Otherwise) : JinjaStatement(Line);

    /// <summary>
    /// <c>{% set target = value %}</c>; the target is a name, a tuple of names, or a namespace attribute
    /// (<see cref="JinjaExpression.GetAttribute"/> on a name).
    /// </summary>
    internal sealed record Set(int Line, JinjaExpression Target, JinjaExpression Value) : JinjaStatement(Line);

    /// <summary>
    /// <c>{% set target | filters %}…{% endset %}</c>: the body's text, through the filters when there are any (applied
    /// to the variable <see cref="BodyVariable"/>), to a name or a namespace attribute.
    /// </summary>
    internal sealed record SetBlock(int Line, JinjaExpression Target, JinjaExpression? Filters, IReadOnlyList<JinjaStatement> Body) : JinjaStatement(Line)
    {
        /// <summary>What the filters of a block set read the body's text from; no template can name it (it has a space).</summary>
        public const string BodyVariable = "set body";
    }

    /// <summary><c>{% macro name(a, b=default) %}…{% endmacro %}</c>.</summary>
    internal sealed record Macro(int Line, string Name, IReadOnlyList<(string Name, JinjaExpression? Default)> Parameters, IReadOnlyList<JinjaStatement> Body) : JinjaStatement(Line);

    /// <summary>A body rendered in place: transformers' <c>{% generation %}…{% endgeneration %}</c>, which only marks assistant text.</summary>
    internal sealed record Group(int Line, IReadOnlyList<JinjaStatement> Body) : JinjaStatement(Line);

    /// <summary><c>{% break %}</c> (the loopcontrols extension transformers enables).</summary>
    internal sealed record Break(int Line) : JinjaStatement(Line);

    /// <summary><c>{% continue %}</c>.</summary>
    internal sealed record Continue(int Line) : JinjaStatement(Line);
}
