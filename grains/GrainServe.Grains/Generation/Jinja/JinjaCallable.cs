namespace GrainServe.Generation.Jinja;

/// <summary>A value a template can call: a global function, a macro, or a method bound to its value.</summary>
internal abstract class JinjaCallable
{
    /// <summary>The name errors and <c>str()</c> show.</summary>
    public abstract string Name { get; }

    /// <exception cref="JinjaException">The call failed; the message says why.</exception>
    public abstract object? Call(JinjaArguments arguments);
}
