namespace GrainServe.Generation.Jinja;

/// <summary>
/// What <c>namespace(...)</c> returns: the one object a template may change from inside a loop
/// (<c>{% set ns.found = true %}</c>), since a plain <c>set</c> there does not outlive the iteration.
/// </summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
