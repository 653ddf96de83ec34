namespace GrainServe.Generation.Jinja;

/// <summary>
/// One token: <paramref name="Value"/> is the text (whitespace control already applied), a name, an operator, or a
/// literal's decoded value as text; <paramref name="Line"/> is where it starts.
/// </summary>
internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Value, int Line)
{
    public bool Is(JinjaTokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsName(string name) => Is(JinjaTokenKind.Name, name);

    public bool IsOperator(string op) => Is(JinjaTokenKind.Operator, op);

    /// <summary>How an error message names it, as Jinja's <c>describe_token</c> does.</summary>
    public string Describe() => Kind switch
    {
        JinjaTokenKind.End => "end of template",
        JinjaTokenKind.VariableEnd => "end of print statement",
        JinjaTokenKind.BlockEnd => "end of statement block",
        JinjaTokenKind.VariableBegin => "begin of print statement",
        JinjaTokenKind.BlockBegin => "begin of statement block",
        JinjaTokenKind.Text => "template data",
        JinjaTokenKind.String => "string",
        JinjaTokenKind.Integer => "integer",
        JinjaTokenKind.Float => "float",
        _ => Value,
    };
}
