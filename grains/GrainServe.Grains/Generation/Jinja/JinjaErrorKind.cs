namespace GrainServe.Generation.Jinja;

/// <summary>Why a template failed.</summary>
internal enum JinjaErrorKind
{
    /// <summary>The source is not a template this interpreter can parse (Jinja's <c>TemplateSyntaxError</c>).</summary>
    Syntax,

    /// <summary>Rendering failed: an undefined value used, a type error, an unsupported filter (Jinja's runtime errors).</summary>
    Runtime,

    /// <summary>The template called <c>raise_exception(message)</c>, as transformers lets it to reject a chat.</summary>
    Raised,
}
