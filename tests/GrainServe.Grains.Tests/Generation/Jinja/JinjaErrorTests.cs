namespace GrainServe.Generation.Jinja;

/// <summary>Errors: syntax errors at parse time with their line, runtime errors at the line of the node that failed.</summary>
public sealed class JinjaErrorTests
{
    [Theory]
    [InlineData("line 1\n{% if x %}\nno end", 3, "Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.")]
    [InlineData("{% for x in y %}\n{% endfor %}{% endif %}", 2, "Encountered unknown tag 'endif'.")]
    [InlineData("{% if x %}{% for a in y %}\n{% endif %}", 2, "Encountered unknown tag 'endif'. You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.")]
    [InlineData("a\n\n{{ 1 + }}", 3, "unexpected 'end of print statement'")]
    [InlineData("{{ x | nosuchfilter }}", 1, "No filter named 'nosuchfilter'.")]
    [InlineData("{{ x is nosuchtest }}", 1, "No test named 'nosuchtest'.")]
    [InlineData("{% for a in b %}{% if a %}{% endif %}{{ a | nosuch }}{% endfor %}", 1, "No filter named 'nosuch'.")]
    [InlineData("a\n{# never closed", 2, "Missing end of comment tag")]
    [InlineData("{{ 'abc }}", 1, "unexpected char \"'\" at 3")]
    [InlineData("{{ (1 }}", 1, "unexpected '}', expected ')'")]
    [InlineData("{% frobnicate %}", 1, "Encountered unknown tag 'frobnicate'.")]
    [InlineData("a\n{{ x", 2, "unexpected end of template, expected 'end of print statement'.")]
    [InlineData("{% for a, in x %}{% endfor %}", 1, "expected token 'in', got 'x'")]
    [InlineData("{% break %}", 1, "'break' outside of a loop")]
    [InlineData("{% set 1 = 2 %}", 1, "can't assign to 'const'")]
    [InlineData("{% set = 2 %}", 1, "unexpected '='")]
    public void Parse_BadSource_SyntaxErrorAtItsLine(string source, int line, string message)
    {
        var error = Assert.Throws<JinjaException>(() => JinjaTemplate.Parse(source));

        Assert.Equal(JinjaErrorKind.Syntax, error.Kind);
        Assert.Equal(line, error.Line);
        Assert.Equal(message, error.Detail);
        Assert.Equal($"line {line}: {message}", error.Message);
    }

    [Theory]
    [InlineData("{% for m in messages %}\n{{ m.content.nope.x }}{% endfor %}", 2, "'str object' has no attribute 'nope'")]
    [InlineData("a\n{{ missing.attr }}", 2, "'missing' is undefined")]
    [InlineData("{{ missing + 'a' }}", 1, "'missing' is undefined")]
    [InlineData("{{ 'a' + 1 }}", 1, "can only concatenate str (not \"int\") to str")]
    [InlineData("{{ 1 + 'a' }}", 1, "unsupported operand type(s) for +: 'int' and 'str'")]
    [InlineData("{{ 1 / 0 }}", 1, "division by zero")]
    [InlineData("{{ 'a' < 1 }}", 1, "'<' not supported between instances of 'str' and 'int'")]
    [InlineData("{% for x in 5 %}{% endfor %}", 1, "'int' object is not iterable")]
    [InlineData("{% set x = 1 %}\n{% set x.y = 2 %}", 2, "cannot assign attribute on non-namespace object")]
    [InlineData("{{ messages.append(1) }}", 1, "access to attribute 'append' of 'list' object is unsafe.")]
    [InlineData("{{ range(200000) | length }}", 1, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")]
    [InlineData("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", 1, "macro 'm' recursed more than 64 calls deep")]
    [InlineData("{% if x is nosuchtest %}{% endif %}", 1, "No test named 'nosuchtest' found.")]
    [InlineData("{{ 1 if true else 2 | nosuch }}{{ 3 | nosuch if true }}", 1, "No filter named 'nosuch' found.")]
    [InlineData("{{ {'a': 1} | tojson }}{{ missing | tojson }}", 1, "Object of type Undefined is not JSON serializable")]
    public void Render_Failure_RuntimeErrorAtTheFailingLine(string source, int line, string message)
    {
        var error = Jinja.Fails(source, ("messages", Jinja.Messages(("user", "hi"))));

        Assert.Equal(JinjaErrorKind.Runtime, error.Kind);
        Assert.Equal(line, error.Line);
        Assert.Equal(message, error.Detail);
    }

    [Fact]
    public void Render_RaiseException_CarriesTheTemplatesMessageAlone()
    {
        var raise = new JinjaFunction("raise_exception", args => throw new JinjaException(JinjaErrorKind.Raised, JinjaValues.ToStr(args.Get(0, "message"))));

        var error = Jinja.Fails("ok\n{% if true %}\n  {{ raise_exception('Conversation roles must alternate') }}\n{% endif %}", ("raise_exception", raise));

        Assert.Equal(JinjaErrorKind.Raised, error.Kind);
        Assert.Equal(3, error.Line);
        Assert.Equal("Conversation roles must alternate", error.Message);
    }
}
