namespace GrainServe.Generation.Jinja;

/// <summary>The evaluated arguments of a call, filter or test, positional then by keyword, as Python binds them.</summary>
internal sealed class JinjaArguments(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named)
{
    public static JinjaArguments None { get; } = new([], new Dictionary<string, object?>());

    public IReadOnlyList<object?> Positional { get; } = positional;

    public IReadOnlyDictionary<string, object?> Named { get; } = named;

    /// <summary>Parameter <paramref name="name"/> at <paramref name="index"/>, or <paramref name="fallback"/> when not passed.</summary>
    public object? Get(int index, string name, object? fallback = null) =>
        index < Positional.Count ? Positional[index] : Named.TryGetValue(name, out var value) ? value : fallback;

    public bool Has(int index, string name) => index < Positional.Count || Named.ContainsKey(name);

    /// <summary>The arguments after the first <paramref name="count"/> positional ones.</summary>
    public JinjaArguments Skip(int count) => new([.. Positional.Skip(count)], Named);

    /// <summary>Throws unless at most <paramref name="count"/> arguments are given, Python's check for too many.</summary>
    public JinjaArguments AtMost(int count, string function)
    {
        if (Positional.Count + Named.Count > count)
        {
            throw JinjaException.Runtime($"{function}() takes at most {count} argument{(count == 1 ? "" : "s")} ({Positional.Count + Named.Count} given)");
        }

        return this;
    }
}
