namespace GrainServe.Generation.Jinja;

/// <summary>Renders a template source with a few variables, for the interpreter's tests.</summary>
internal static class Jinja
{
    public static string Render(string source, params (string Name, object? Value)[] variables) =>
        JinjaTemplate.Parse(source).Render(variables.ToDictionary(v => v.Name, v => v.Value));

    /// <summary>A chat as transformers hands it to a template: a list of dicts with role and content.</summary>
    public static List<object?> Messages(params (string Role, string Content)[] messages) =>
        [.. messages.Select(m => (object?)new JinjaDict { ["role"] = m.Role, ["content"] = m.Content })];

    public static JinjaException Fails(string source, params (string Name, object? Value)[] variables) =>
        Assert.Throws<JinjaException>(() => Render(source, variables));
}
