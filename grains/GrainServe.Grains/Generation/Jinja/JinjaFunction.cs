namespace GrainServe.Generation.Jinja;

/// <summary>A callable backed by a delegate: Jinja's globals (<c>range</c>, <c>namespace</c>…) and transformers' (<c>raise_exception</c>…).</summary>
internal sealed class JinjaFunction(string name, Func<JinjaArguments, object?> body) : JinjaCallable
{
    public override string Name => name;

    public override object? Call(JinjaArguments arguments) => body(arguments);
}
