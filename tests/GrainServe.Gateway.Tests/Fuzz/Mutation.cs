namespace GrainServe.Gateway.Fuzz;

/// <summary>
/// One mutation of a valid request: its kind, where in the request it acts and which replacement it takes, each an index
/// taken modulo the choices there are, so that CsCheck shrinks a failure toward the first node and the first replacement.
/// </summary>
internal sealed record Mutation<TKind>(TKind Kind, int Where, int What)
    where TKind : struct, Enum
{
    public override string ToString() => $"{Kind}@{Where}#{What}";
}
