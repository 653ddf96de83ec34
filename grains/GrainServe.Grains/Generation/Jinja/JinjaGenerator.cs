namespace GrainServe.Generation.Jinja;

/// <summary>
/// What Jinja's lazy filters return (<c>map</c>, <c>select</c>, <c>selectattr</c>, <c>reject</c>, <c>items</c>,
/// <c>reverse</c> of a list): a Python generator, which is always true, has no length, and is used up by the first
/// pass over it. Templates end such a chain with <c>| list</c>; this keeps the cases that do not behave as Jinja's.
/// </summary>
internal sealed class JinjaGenerator(IReadOnlyList<object?> items, string name)
{
    private bool _consumed;

    public string Name => name;

    /// <summary>The items not yet consumed; after this, none.</summary>
    public IReadOnlyList<object?> Consume()
    {
        var remaining = _consumed ? [] : items;
        _consumed = true;
        return remaining;
    }
}
