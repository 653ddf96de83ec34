namespace GrainServe.Generation.Jinja;

/// <summary>
/// A Jinja2 template parsed once and rendered many times, by a small interpreter of the subset chat templates use,
/// with transformers' settings (see <see cref="JinjaLexer"/>). Immutable and safe to render from several threads.
/// </summary>
internal sealed class JinjaTemplate
{
    private readonly IReadOnlyList<JinjaStatement> _body;

    private JinjaTemplate(IReadOnlyList<JinjaStatement> body)
    {
        _body = body;
    }

    /// <exception cref="JinjaException">A <see cref="JinjaErrorKind.Syntax"/> error; the message names its line.</exception>
    public static JinjaTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(JinjaParser.Parse(source));
    }

    /// <summary>
    /// The text for <paramref name="variables"/>: strings, longs, doubles, booleans, null, <see cref="List{T}"/> of
    /// values, <see cref="JinjaDict"/>, and <see cref="JinjaCallable"/> functions.
    /// </summary>
    /// <exception cref="JinjaException">Rendering failed; <see cref="JinjaErrorKind.Raised"/> when the template itself rejected its input.</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return JinjaRenderer.Render(_body, variables);
    }
}
