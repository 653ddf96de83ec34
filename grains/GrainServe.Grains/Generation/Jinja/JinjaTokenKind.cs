namespace GrainServe.Generation.Jinja;

/// <summary>What a <see cref="JinjaToken"/> is: template text, a tag's delimiters, or a piece of an expression.</summary>
internal enum JinjaTokenKind
{
    Text,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
}
