namespace GrainServe.Generation.Jinja;

/// <summary>
/// A template failed to parse or to render. <see cref="Exception.Message"/> is <c>line N: detail</c>, except for
/// <see cref="JinjaErrorKind.Raised"/>, whose message is exactly the template's own.
/// </summary>
internal sealed class JinjaException : Exception
{
    public JinjaException(JinjaErrorKind kind, string detail, int? line = null)
        : base(kind == JinjaErrorKind.Raised || line is null ? detail : $"line {line}: {detail}")
    {
        Kind = kind;
        Detail = detail;
        Line = line;
    }

    public JinjaErrorKind Kind { get; }

    /// <summary>The message without the line.</summary>
    public string Detail { get; }

    /// <summary>The 1-based source line, or null while the error is still on its way to the node that knows it.</summary>
    public int? Line { get; }

    /// <summary>A runtime error with no position yet (thrown by value helpers; the renderer adds the node's line).</summary>
    public static JinjaException Runtime(string detail) => new(JinjaErrorKind.Runtime, detail);

    /// <summary>The same error at <paramref name="line"/>.</summary>
    public JinjaException AtLine(int line) => new(Kind, Detail, line);
}
