namespace GrainServe.Generation.Jinja;

/// <summary>
/// Variables of one frame: the template's top level, a loop iteration, a macro call. A lookup walks out to the
/// globals; <see cref="Set"/> writes only here, so a <c>set</c> inside a loop ends with the iteration, as in Jinja.
/// </summary>
internal sealed class JinjaScope(JinjaScope? parent)
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public bool TryLookup(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }

    public void Set(string name, object? value) => _variables[name] = value;

    private JinjaScope? Parent { get; } = parent;
}
