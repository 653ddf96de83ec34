namespace GrainServe.Generation.Jinja;

/// <summary>
/// Jinja's default <c>Undefined</c>: what a missing variable, attribute or item evaluates to. It prints as nothing,
/// is false, iterates as empty and has length 0; using it further (an attribute, an item, arithmetic, a call, an
/// ordering comparison) fails with <see cref="Message"/>, as Jinja's <c>UndefinedError</c> does.
/// </summary>
internal sealed class JinjaUndefined
{
    private JinjaUndefined(string message)
    {
        Message = message;
    }

    /// <summary>Why it is undefined, in Jinja's words (<c>'x' is undefined</c>, <c>'dict object' has no attribute 'x'</c>).</summary>
    public string Message { get; }

    /// <summary>A variable that is not set.</summary>
    public static JinjaUndefined Variable(string name) => new($"{PyStr.Repr(name)} is undefined");

    /// <summary>An attribute or item <paramref name="key"/> that <paramref name="owner"/> does not have.</summary>
    public static JinjaUndefined Member(object? owner, object? key) =>
        new(key is string name
            ? $"{PyStr.Repr(ObjectType(owner))} has no attribute {PyStr.Repr(name)}"
            : $"{ObjectType(owner)} has no element {JinjaValues.Repr(key)}");

    /// <summary>Undefined for a reason of its own (Jinja's <c>hint</c>: "No first item, sequence was empty.").</summary>
    public static JinjaUndefined Hint(string hint) => new(hint);

    /// <summary>The error using it raises.</summary>
    public JinjaException Error() => JinjaException.Runtime(Message);

    // Jinja's object_type_repr.
    private static string ObjectType(object? owner) => owner is null ? "None" : $"{JinjaValues.TypeName(owner)} object";
}
