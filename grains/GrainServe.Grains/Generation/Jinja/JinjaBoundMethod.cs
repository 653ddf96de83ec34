namespace GrainServe.Generation.Jinja;

/// <summary>A Python method of a value, as <c>message.content.strip</c> evaluates to before it is called.</summary>
internal sealed class JinjaBoundMethod(object target, string method) : JinjaCallable
{
    public override string Name => method;

    public override object? Call(JinjaArguments arguments) => JinjaMethods.Call(target, method, arguments);
}
