namespace GrainServe.Generation.Jinja;

/// <summary>A <c>{% macro %}</c> as a value: calling it renders its body with the arguments bound, in the scope it was defined in.</summary>
internal sealed class JinjaMacro(JinjaStatement.Macro definition, JinjaScope scope, JinjaRenderer renderer) : JinjaCallable
{
    public override string Name => definition.Name;

    public override object? Call(JinjaArguments arguments) => renderer.CallMacro(definition, scope, arguments);
}
