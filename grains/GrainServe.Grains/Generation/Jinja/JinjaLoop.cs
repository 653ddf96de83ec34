namespace GrainServe.Generation.Jinja;

/// <summary>The <c>loop</c> variable of a <c>for</c> body; the renderer moves <see cref="Index0"/> along.</summary>
internal sealed class JinjaLoop(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public int Length => items.Count;

    /// <summary>Jinja's <c>LoopContext</c> attributes; <c>cycle</c> is a method.</summary>
    public object? Get(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : JinjaUndefined.Hint("there is no previous item"),
        "nextitem" => Index0 < items.Count - 1 ? items[Index0 + 1] : JinjaUndefined.Hint("there is no next item"),
        "depth" => 1L,
        "depth0" => 0L,
        "cycle" => new JinjaFunction("cycle", args => args.Positional.Count > 0
            ? args.Positional[Index0 % args.Positional.Count]
            : throw JinjaException.Runtime("no items for cycling given")),
        _ => JinjaUndefined.Member(this, name),
    };
}
